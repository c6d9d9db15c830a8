/// The exact mode's priority queue: a binary min-heap of `Event`s ordered by `(time, seq)`.
///
/// Replaces swift-collections' `Heap`, a min-max heap whose every sift compares grandchildren for both
/// ends; the kernel only ever takes the minimum. Keys are unique (`seq` counts every `schedule`), so
/// the order events come out in is the total order of `(time, seq)` — the same whichever correct
/// priority queue holds them (checked: bit-identical spike trains and reports, Docs/performance.md).
struct EventQueue {
    private var items: [Event] = []

    /// The earliest event, if any.
    var min: Event? { items.first }

    var isEmpty: Bool { items.isEmpty }

    mutating func insert(_ e: Event) {
        items.append(e)
        items.withUnsafeMutableBufferPointer { a in
            var k = a.count - 1
            // Sift up: move parents down until e's place is found.
            while k > 0 {
                let parent = (k - 1) >> 1
                if !(e < a[parent]) { break }
                a[k] = a[parent]
                k = parent
            }
            a[k] = e
        }
    }

    mutating func popMin() -> Event? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return first }
        items.withUnsafeMutableBufferPointer { a in
            let n = a.count
            var k = 0
            // Sift down: move the smaller child up until `last` fits.
            while true {
                let left = 2 * k + 1
                if left >= n { break }
                let right = left + 1
                let child = right < n && a[right] < a[left] ? right : left
                if !(a[child] < last) { break }
                a[k] = a[child]
                k = child
            }
            a[k] = last
        }
        return first
    }
}
