/// Disjoint sets over `0..<count` (union by smaller root, path compression), iterative: no
/// recursion in proportion to the input. Used to find independent blocks of a follower's rows.
struct UnionFind {
    private var parent: [Int]

    init(count: Int) { parent = Array(0..<count) }

    /// The representative (the smallest member, roots being unioned smaller-first) of `j`'s set.
    mutating func find(_ j: Int) -> Int {
        var root = j
        while parent[root] != root { root = parent[root] }
        var k = j
        while parent[k] != root { (k, parent[k]) = (parent[k], root) }
        return root
    }

    mutating func union(_ a: Int, _ b: Int) {
        let (ra, rb) = (find(a), find(b))
        if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
    }
}
