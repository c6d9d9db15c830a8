/// A directed edge of an NIR graph: the output of `source` is added to the input of `target`.
public struct NIREdge: Sendable, Equatable, Hashable {
    public var source: String
    public var target: String
    public init(_ source: String, _ target: String) { self.source = source; self.target = target }
}
