/// A type with a natural empty value (what `OutOfLine` reads before any write).
public protocol DefaultInitializable {
    init()
}

/// A value kept out of line, allocated on the first write: for state most
/// instances never touch. Reads before that see `Value()`. Copy-on-write, so
/// the containing struct keeps value semantics.
public struct OutOfLine<Value: DefaultInitializable> {
    private final class Storage {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var storage: Storage?

    public init() {}

    /// Whether anything was ever written (nothing allocated otherwise).
    public var isAllocated: Bool { storage != nil }

    public var value: Value {
        get { storage?.value ?? Value() }
        _modify {
            if storage == nil {
                storage = Storage(Value())
            } else if !isKnownUniquelyReferenced(&storage!) {
                storage = Storage(storage!.value)
            }
            yield &storage!.value
        }
    }
}
