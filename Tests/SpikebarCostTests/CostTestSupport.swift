/// Relative closeness of two prices: `|a − b| ≤ rel · max(|a|, |b|)` (the cost tests compare closed
/// forms summed in another order, so bit equality is not expected).
func close(_ a: Double, _ b: Double, rel: Double = 1e-12) -> Bool { abs(a - b) <= rel * max(abs(a), abs(b)) }
