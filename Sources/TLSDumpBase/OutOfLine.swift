/// A type with a natural empty value (what `OutOfLine` reads before any write).
public protocol DefaultInitializable {
    init()
}

/// A value kept out of line, allocated on the first write: for state most
/// instances never touch. Reads before that see `Value()`. Copy-on-write, so
/// the containing struct keeps value semantics.
///
/// Inlinable: other modules specialize it for their `Value` (a generic call
/// across modules cost a metadata lookup per read, and the reassembler reads
/// one per segment).
public struct OutOfLine<Value: DefaultInitializable> {
    @usableFromInline
    final class Storage {
        @usableFromInline var value: Value
        @usableFromInline init(_ value: Value) { self.value = value }
    }

    @usableFromInline var storage: Storage?

    @inlinable public init() {}

    /// Whether anything was ever written (nothing allocated otherwise).
    @inlinable public var isAllocated: Bool { storage != nil }

    @inlinable public var value: Value {
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
