/** Live migration of a guest's memory and the cutover events the network modules listen to. */
package io.cutover.migration;
