/// The classification decision every engine uses: the index of the largest score, ties to the lower
/// index (so kernel, twin and MIF twin pick the same class from the same scores).
@inlinable public func argmaxLowestIndex(_ scores: [Double]) -> Int {
    var best = 0
    for c in scores.indices where scores[c] > scores[best] { best = c }
    return best
}
