package io.cutover.sdn;

/**
 * The cookie every flow of the controller carries: {@code 0xC7} in the top byte (ours; other cookies are left
 * alone), then 16 bits of network, 24 bits of endpoint and 16 bits of generation: the move that placed the flow (0
 * before any move) for the flows of the endpoint's own switch and port, {@link #ANY_PLACE} for its flows that do not
 * depend on where it is (the unicast towards it on every other switch, its neighbour responder): a commit changes
 * those only on the switches where their output changes, not on every switch of its network. A move's or an
 * old location's flows are deleted exactly by their cookie with {@link #EXACT}.
 */
public final class Cookie {
    /** The top byte that marks the controller's flows. */
    public static final long MAGIC = 0xC7L << 56;
    /** The mask that selects every flow of the controller. */
    public static final long OURS_MASK = 0xFFL << 56;
    /** The mask that selects exactly one cookie. */
    public static final long EXACT = -1L;
    /** The largest network id. */
    public static final int MAX_NETWORK = 0xFFFF;
    /** The largest endpoint id. */
    public static final int MAX_ENDPOINT = 0xFFFFFF;
    /** The largest generation (move id). */
    public static final int MAX_GENERATION = 0xFFFE;
    /** The generation of an endpoint's flows that do not depend on its place: no move's, so no move deletes them. */
    public static final int ANY_PLACE = 0xFFFF;

    private Cookie() {
    }

    /** The cookie of a flow of {@code network} and {@code endpoint} (0: none) placed by move {@code generation}. */
    public static long of(int network, int endpoint, int generation) {
        check("network", network, MAX_NETWORK);
        check("endpoint", endpoint, MAX_ENDPOINT);
        check("generation", generation, MAX_GENERATION);
        return MAGIC | ((long) network << 40) | ((long) endpoint << 16) | generation;
    }

    /** The cookie of a flow of {@code network} and {@code endpoint} that does not depend on where it is. */
    public static long anyPlace(int network, int endpoint) {
        return of(network, endpoint, 0) | ANY_PLACE;
    }

    public static boolean isOurs(long cookie) {
        return (cookie & OURS_MASK) == MAGIC;
    }

    public static int network(long cookie) {
        return (int) ((cookie >>> 40) & MAX_NETWORK);
    }

    public static int endpoint(long cookie) {
        return (int) ((cookie >>> 16) & MAX_ENDPOINT);
    }

    public static int generation(long cookie) {
        return (int) (cookie & ANY_PLACE);
    }

    /** The cookie in hex, as {@code ovs-ofctl} shows it. */
    public static String format(long cookie) {
        return "0x" + Long.toHexString(cookie);
    }

    private static void check(String what, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(what + " " + value + " is outside 0.." + max);
        }
    }
}
