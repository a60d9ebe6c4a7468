package io.dbosee.internal.engine;

import java.util.Arrays;
import java.util.List;

/**
 * The parked workflows by wake-up time: a binary min-heap in one array, where each parked workflow
 * knows its own place, so that one woken early leaves in logarithmic time. It costs each parked
 * workflow one array slot (a skip list, as before, cost it a node and part of an index). Not
 * thread-safe: its owner guards it.
 */
final class WakeUpOrder {
  private static final int INITIAL = 64;

  private ParkedWorkflows.Parked[] heap = new ParkedWorkflows.Parked[INITIAL];
  private int size;

  int size() {
    return size;
  }

  /** The one to wake first, or null. */
  ParkedWorkflows.Parked first() {
    return size == 0 ? null : heap[0];
  }

  void add(ParkedWorkflows.Parked parked) {
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    place(parked, size++);
    up(parked.slot);
  }

  void remove(ParkedWorkflows.Parked parked) {
    int slot = parked.slot;
    parked.slot = -1;
    size--;
    ParkedWorkflows.Parked last = heap[size];
    heap[size] = null;
    if (slot != size) {
      place(last, slot);
      down(slot);
      up(last.slot);
    }
    if (heap.length > INITIAL && size < heap.length / 4) {
      // A million that parked and left give their array back.
      heap = Arrays.copyOf(heap, heap.length / 2);
    }
  }

  /** Every one, in no order. */
  List<ParkedWorkflows.Parked> all() {
    return List.of(Arrays.copyOf(heap, size));
  }

  /**
   * Up to {@code count} of them, from slot {@code from} (taken modulo the size) on, wrapping
   * around: successive calls with a cursor advanced by {@code count} go round all of them. One that
   * moves in the heap between two calls may be passed over in one round or seen twice.
   */
  List<ParkedWorkflows.Parked> slice(long from, int count) {
    int n = Math.min(count, size);
    ParkedWorkflows.Parked[] taken = new ParkedWorkflows.Parked[n];
    int start = size == 0 ? 0 : (int) Math.floorMod(from, (long) size);
    for (int i = 0; i < n; i++) {
      taken[i] = heap[(start + i) % size];
    }
    return List.of(taken);
  }

  /** Takes every one out. */
  List<ParkedWorkflows.Parked> clear() {
    List<ParkedWorkflows.Parked> all = all();
    all.forEach(parked -> parked.slot = -1);
    heap = new ParkedWorkflows.Parked[INITIAL];
    size = 0;
    return all;
  }

  private void up(int slot) {
    ParkedWorkflows.Parked moving = heap[slot];
    while (slot > 0) {
      int parent = (slot - 1) / 2;
      if (heap[parent].wakeAt <= moving.wakeAt) {
        break;
      }
      place(heap[parent], slot);
      slot = parent;
    }
    place(moving, slot);
  }

  private void down(int slot) {
    ParkedWorkflows.Parked moving = heap[slot];
    while (true) {
      int child = 2 * slot + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && heap[child + 1].wakeAt < heap[child].wakeAt) {
        child++;
      }
      if (moving.wakeAt <= heap[child].wakeAt) {
        break;
      }
      place(heap[child], slot);
      slot = child;
    }
    place(moving, slot);
  }

  private void place(ParkedWorkflows.Parked parked, int slot) {
    heap[slot] = parked;
    parked.slot = slot;
  }
}
