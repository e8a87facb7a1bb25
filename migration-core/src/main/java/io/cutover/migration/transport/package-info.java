/** The migration stream's wire format: frames, the strict decoder and the encoder (Netty). */
package io.cutover.migration.transport;
