package io.cutover.sdn.impl;

import org.junit.jupiter.api.Test;
import org.pcollections.TreePMap;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class EndpointMapTest {
    private final List<ModelState.Placed> placed = SharedModelTest.endpoints(new Random(1), 2_000);

    @Test
    void aMapRemembersTheNamesItsChangesTouchedSinceAnEarlierOne() {
        ModelState before = ModelState.empty().withEndpoints(placed.subList(0, 1_000));
        ModelState.Placed first = placed.get(0);
        ModelState after = before.withEndpoint(new ModelState.Placed(first.endpoint(), 5))
                .withoutEndpoint(placed.get(1).endpoint().name()).withEndpoint(placed.get(1_500));
        EndpointMap earlier = (EndpointMap) before.endpoints();
        EndpointMap later = (EndpointMap) after.endpoints();

        assertThat(later.changedSince(earlier)).containsExactlyInAnyOrder(first.endpoint().name(),
                placed.get(1).endpoint().name(), placed.get(1_500).endpoint().name());
        assertThat(later.changedSince(later)).isEmpty();
        assertThat(earlier.changedSince(later)).as("not made from it").isNull();
        assertThat(later.changedSince(EndpointMap.from(new TreeMap<>(before.endpoints())))).isNull();
        assertThat(after.endpoints()).hasSize(1_000).containsKey(placed.get(1_500).endpoint().name())
                .doesNotContainKey(placed.get(1).endpoint().name());
        assertThat(new ArrayList<>(after.endpoints().keySet())).isSorted();
    }

    @Test
    void pastWhatItRemembersTheCallerComparesWhole() {
        ModelState state = ModelState.empty();
        ModelState start = state;
        for (int i = 0; i <= EndpointMap.REMEMBERED; i++) {
            state = state.withEndpoint(placed.get(i % placed.size()));
        }
        assertThat(((EndpointMap) state.endpoints()).changedSince((EndpointMap) start.endpoints())).isNull();
    }

    @Test
    void theChangedBucketsAreTheSameFoundByMemoryOrByAWholeWalk() {
        ModelState before = ModelState.empty().withEndpoints(placed.subList(0, 1_500));
        ModelState after = before.withEndpoint(new ModelState.Placed(placed.get(3).endpoint(), 9))
                .withoutEndpoint(placed.get(4).endpoint().name()).withEndpoint(placed.get(1_700))
                .withEndpoint(placed.get(5));
        List<TreePMap<String, ModelState.Placed>> byMemory = buckets(before.endpoints());
        List<TreePMap<String, ModelState.Placed>> byWalk = buckets(before.endpoints());

        BitSet remembered = SharedModel.changedBuckets(before.endpoints(), after.endpoints(), byMemory);
        BitSet walked = SharedModel.changedBuckets(new TreeMap<>(before.endpoints()), new TreeMap<>(after.endpoints()),
                byWalk);

        BitSet expected = new BitSet();
        expected.set(ModelParts.bucket(placed.get(3).endpoint().name()));
        expected.set(ModelParts.bucket(placed.get(4).endpoint().name()));
        expected.set(ModelParts.bucket(placed.get(1_700).endpoint().name()));
        assertThat(remembered).isEqualTo(expected).isEqualTo(walked);
        assertThat(byMemory).isEqualTo(byWalk).isEqualTo(buckets(after.endpoints()));
    }

    private static List<TreePMap<String, ModelState.Placed>> buckets(Map<String, ModelState.Placed> endpoints) {
        List<TreePMap<String, ModelState.Placed>> buckets = new ArrayList<>(
                Collections.nCopies(ModelParts.BUCKETS, TreePMap.empty()));
        endpoints.forEach((name, p) -> buckets.set(ModelParts.bucket(name),
                buckets.get(ModelParts.bucket(name)).plus(name, p)));
        return buckets;
    }
}
