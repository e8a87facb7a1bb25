/**
 * The cutover's vocabulary, shared by every module and by nothing heavier: the stages of a cutover
 * ({@link io.cutover.api.CutoverStage}) and its events and listeners, the VM's network endpoint, and the
 * {@link io.cutover.api.Hypervisor} SPI through which the cutover drives whatever migrates the guest.
 * No Netty, no Vert.x, no engine.
 */
package io.cutover.api;
