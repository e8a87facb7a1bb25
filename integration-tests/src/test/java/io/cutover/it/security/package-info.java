/** Every daemon's ports attacked by a hostile peer, as separate processes: what a refusal leaves behind. */
package io.cutover.it.security;
