/** The OpenFlow 1.3 controller: VM endpoints, their locations and atomic moves (public API). */
package io.cutover.sdn;
