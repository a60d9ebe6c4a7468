package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The parked workflows' heap by wake-up time: the earliest first, and any one removable. */
class WakeUpOrderTest {
  private final ParkedWorkflows parked = new ParkedWorkflows(null, TimeSource.SYSTEM, p -> {});

  private ParkedWorkflows.Parked at(long wakeAt) {
    return parked.prepare("wf-" + wakeAt, new RunningWorkflow(null), wakeAt, null, null);
  }

  @Test
  void theEarliestComesFirstAfterAnyRemovals() {
    Random random = new Random(27);
    WakeUpOrder order = new WakeUpOrder();
    List<ParkedWorkflows.Parked> all = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ParkedWorkflows.Parked one = at(random.nextInt(1_000));
      all.add(one);
      order.add(one);
    }
    Collections.shuffle(all, random);
    List<ParkedWorkflows.Parked> removed = all.subList(0, 4_000);
    removed.forEach(order::remove);
    assertThat(removed).allMatch(one -> one.slot == -1);

    List<Long> expected =
        all.subList(4_000, all.size()).stream().map(one -> one.wakeAt).sorted().toList();
    List<Long> taken = new ArrayList<>();
    while (order.first() != null) {
      ParkedWorkflows.Parked first = order.first();
      taken.add(first.wakeAt);
      order.remove(first);
    }
    assertThat(taken).isEqualTo(expected);
    assertThat(order.size()).isZero();
  }

  @Test
  void clearTakesEveryOneOut() {
    WakeUpOrder order = new WakeUpOrder();
    for (int i = 0; i < 100; i++) {
      order.add(at(100 - i));
    }
    List<ParkedWorkflows.Parked> cleared = order.clear();
    assertThat(cleared).hasSize(100).allMatch(one -> one.slot == -1);
    assertThat(order.first()).isNull();
    assertThat(order.size()).isZero();
  }

  @Test
  void successiveChecksGoRoundEveryParkedWorkflowInSlices() {
    // A hub that was never started: parking the earliest only wakes its (absent) listener.
    ParkedWorkflows parked =
        new ParkedWorkflows(new NotificationHub(null, null, null), TimeSource.SYSTEM, p -> {});
    for (int i = 0; i < 25; i++) {
      parked.park(
          parked.prepare(
              "parked-" + i, new RunningWorkflow(null), Long.MAX_VALUE - 25 + i, null, null));
    }
    Set<String> seen = new HashSet<>();
    List<Integer> sizes = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      List<ParkedWorkflows.Parked> slice = parked.nextToCheck(10);
      sizes.add(slice.size());
      slice.forEach(one -> seen.add(one.workflowId));
    }
    assertThat(sizes).containsExactly(10, 10, 10);
    assertThat(seen).hasSize(25);
    assertThat(parked.nextToCheck(100)).hasSize(25);
    assertThat(new WakeUpOrder().slice(7, 10)).isEmpty();
  }
}
