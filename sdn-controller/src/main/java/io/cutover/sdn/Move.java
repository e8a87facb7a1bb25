package io.cutover.sdn;

/**
 * A move of an endpoint from one port to another, as the controller tracks it.
 *
 * @param id             1..{@value Cookie#MAX_GENERATION}; the generation of the flows it installs (in their cookie)
 * @param endpoint       the endpoint's name
 * @param fromSwitch     where it was: the switch's datapath id
 * @param fromPort       where it was
 * @param fromGeneration the generation of its flows before the move
 * @param toSwitch       where it goes: the switch's datapath id
 * @param toPort         where it goes
 * @param forwarderPort  the port at the source that traffic is redirected to, or {@code null}
 * @param state          where the move stands
 */
public record Move(int id, String endpoint, Dpid fromSwitch, String fromPort, int fromGeneration, Dpid toSwitch,
                   String toPort, String forwarderPort, MoveState state) {

    public Move with(MoveState newState) {
        return new Move(id, endpoint, fromSwitch, fromPort, fromGeneration, toSwitch, toPort, forwarderPort, newState);
    }

    public Move redirectedTo(String port) {
        return new Move(id, endpoint, fromSwitch, fromPort, fromGeneration, toSwitch, toPort, port,
                MoveState.REDIRECTED);
    }

    /** Whether the move still changes the flows (prepared, redirected or committed but not cleaned). */
    public boolean open() {
        return state == MoveState.PREPARED || state == MoveState.REDIRECTED || state == MoveState.COMMITTED;
    }
}
