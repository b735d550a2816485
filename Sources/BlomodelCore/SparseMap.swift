/// A sparse vector or matrix: coefficients by key, kept sorted by key.
///
/// This is the storage of every affine and quadratic form in blomodel. Keys are kept in
/// ascending order so that iteration, sums and printouts are the same in every run and
/// every process (a `Dictionary` iterates in an order that depends on a per-process hash
/// seed, which made floating-point sums, and so reports, differ from run to run).
///
/// Zero coefficients are not stored. Appending keys in ascending order and merging two
/// maps (`merge`) are linear; setting a key in the middle is linear in the size (a binary
/// search, then an insertion), so build large forms in order, or collect and `init(summing:)`.
public struct SparseMap<Key: Comparable & Hashable & Sendable>: Sendable, Equatable {
    public private(set) var keys: [Key] = []
    public private(set) var values: [Double] = []

    public init() {}

    /// Sums the coefficients of repeated keys; sorts once (n log n) and drops zeros.
    public init<S: Sequence>(summing pairs: S) where S.Element == (Key, Double) {
        var all = Array(pairs)
        // A stable sort keeps repeated keys in input order, so their sum is reproducible.
        all = all.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element)
        keys.reserveCapacity(all.count)
        values.reserveCapacity(all.count)
        var i = 0
        while i < all.count {
            let key = all[i].0
            var sum = 0.0
            while i < all.count, all[i].0 == key {
                sum += all[i].1
                i += 1
            }
            if sum != 0 {
                keys.append(key)
                values.append(sum)
            }
        }
    }

    /// From pairs already sorted by key, without repeated keys or zeros (not checked).
    public init(sortedUnique pairs: [(Key, Double)]) {
        keys = pairs.map(\.0)
        values = pairs.map(\.1)
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// The position of `key`, or where it would be inserted.
    func position(of key: Key) -> (index: Int, found: Bool) {
        if let last = keys.last, last < key { return (keys.count, false) }
        var lo = 0, hi = keys.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if keys[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return (lo, lo < keys.count && keys[lo] == key)
    }

    /// The coefficient of `key`; nil when it is zero (not stored). Setting nil or 0 removes it.
    public subscript(key: Key) -> Double? {
        get {
            let (i, found) = position(of: key)
            return found ? values[i] : nil
        }
        set {
            let (i, found) = position(of: key)
            let v = newValue ?? 0
            if found {
                if v == 0 {
                    keys.remove(at: i)
                    values.remove(at: i)
                } else {
                    values[i] = v
                }
            } else if v != 0 {
                keys.insert(key, at: i)
                values.insert(v, at: i)
            }
        }
    }

    /// Adds `coefficient` to the coefficient of `key` (removing it when the sum is zero).
    public mutating func add(_ key: Key, _ coefficient: Double) {
        if coefficient == 0 { return }
        let (i, found) = position(of: key)
        if found {
            let v = values[i] + coefficient
            if v == 0 {
                keys.remove(at: i)
                values.remove(at: i)
            } else {
                values[i] = v
            }
        } else {
            keys.insert(key, at: i)
            values.insert(coefficient, at: i)
        }
    }

    /// `self += factor * other`, by one linear merge of the two sorted key lists.
    public mutating func merge(_ other: SparseMap, times factor: Double = 1) {
        if other.isEmpty || factor == 0 { return }
        if isEmpty || other.keys[0] > keys[keys.count - 1] {
            keys.append(contentsOf: other.keys)
            values.append(contentsOf: factor == 1 ? other.values : other.values.map { $0 * factor })
            return
        }
        var k: [Key] = [], v: [Double] = []
        k.reserveCapacity(keys.count + other.count)
        v.reserveCapacity(keys.count + other.count)
        var i = 0, j = 0
        while i < keys.count || j < other.count {
            if j == other.count || (i < keys.count && keys[i] < other.keys[j]) {
                k.append(keys[i])
                v.append(values[i])
                i += 1
            } else if i == keys.count || other.keys[j] < keys[i] {
                k.append(other.keys[j])
                v.append(factor * other.values[j])
                j += 1
            } else {
                let s = values[i] + factor * other.values[j]
                if s != 0 {
                    k.append(keys[i])
                    v.append(s)
                }
                i += 1
                j += 1
            }
        }
        keys = k
        values = v
    }

    /// Every coefficient times `factor` (all removed when it is zero).
    public func scaled(_ factor: Double) -> SparseMap {
        if factor == 0 { return SparseMap() }
        var r = self
        for i in r.values.indices { r.values[i] *= factor }
        return r
    }

    /// The entries that satisfy `predicate`, still sorted.
    public func filter(_ predicate: ((key: Key, value: Double)) throws -> Bool) rethrows -> SparseMap {
        var r = SparseMap()
        for (k, v) in zip(keys, values) where try predicate((key: k, value: v)) {
            r.keys.append(k)
            r.values.append(v)
        }
        return r
    }
}

extension SparseMap: Sequence {
    public struct Iterator: IteratorProtocol {
        let map: SparseMap
        var i = 0
        public mutating func next() -> (key: Key, value: Double)? {
            guard i < map.keys.count else { return nil }
            defer { i += 1 }
            return (key: map.keys[i], value: map.values[i])
        }
    }
    public func makeIterator() -> Iterator { Iterator(map: self) }
    public var underestimatedCount: Int { keys.count }
}

extension SparseMap: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (Key, Double)...) {
        self.init(summing: elements)
    }
}
