/**
 * The first `k` items in `order`, sorted, without sorting the rest: a bounded max-heap keeps the
 * best `k` seen so far, so choosing 10 of 50,000 costs about 50,000 comparisons, not 800,000.
 */
export function topK<T>(items: readonly T[], k: number, order: (a: T, b: T) => number): T[] {
  if (items.length <= k) return [...items].sort(order);
  const heap: T[] = [];
  // The heap's root is the worst of the kept items: a new item replaces it when it comes before it.
  const worse = (a: T, b: T) => order(a, b) > 0;
  const siftDown = (start: number) => {
    let parent = start;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let worst = parent;
      if (left < heap.length && worse(heap[left]!, heap[worst]!)) worst = left;
      if (right < heap.length && worse(heap[right]!, heap[worst]!)) worst = right;
      if (worst === parent) return;
      [heap[parent], heap[worst]] = [heap[worst]!, heap[parent]!];
      parent = worst;
    }
  };
  for (const item of items) {
    if (heap.length < k) {
      heap.push(item);
      let child = heap.length - 1;
      while (child > 0) {
        const parent = (child - 1) >> 1;
        if (!worse(heap[child]!, heap[parent]!)) break;
        [heap[parent], heap[child]] = [heap[child]!, heap[parent]!];
        child = parent;
      }
    } else if (order(item, heap[0]!) < 0) {
      heap[0] = item;
      siftDown(0);
    }
  }
  return heap.sort(order);
}
