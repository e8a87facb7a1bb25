/** libvirt's lifecycle events and domain states, as this host's libvirtd tells them through virsh. */
package io.cutover.agent.libvirt;
