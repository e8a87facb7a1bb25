package io.cutover.sdn;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the controller heard when it asked an endpoint for its own address at the port the model has it on (an ARP
 * probe, or a neighbour solicitation for IPv6): whether the endpoint answered there, and how soon.
 *
 * @param endpoint the endpoint's name
 * @param switchId the switch the model has it on (JSON {@code switch})
 * @param port     its port there
 * @param address  the address asked for, or {@code null} when the endpoint has none to ask for
 * @param answered whether the endpoint answered from that port with its own MAC
 * @param micros   from the first probe to the answer, or how long the controller waited without one
 * @param probes   how many probes were sent (one every {@code 200 ms} until an answer or the timeout)
 */
public record ProbeAnswer(String endpoint, @JsonProperty("switch") Dpid switchId, String port, String address,
                          boolean answered, long micros, int probes) {
}
