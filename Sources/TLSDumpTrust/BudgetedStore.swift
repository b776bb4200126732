import Synchronization
import X509

/// The peer's certificates as the verifier's intermediate store, with a
/// budget of lookups: the verifier's path search is a depth-first search
/// over issuers, and a hostile list (many certificates of one subject whose
/// signatures all verify under each other's keys) would make it explore
/// every ordering. Past the budget the store answers "none", the search
/// ends, and the verdict says the search was cut.
struct BudgetedStore: CustomCertificateStore {
    private let bySubject: [DistinguishedName: [Certificate]]
    private let counter: LookupCounter

    init(_ certificates: [Certificate], budget: Int) {
        bySubject = Dictionary(grouping: certificates, by: \.subject)
        counter = LookupCounter(budget: budget)
    }

    var exhausted: Bool { counter.exhausted }

    subscript(subject: DistinguishedName) -> [Certificate]? {
        get async {
            guard counter.take() else { return nil }
            return bySubject[subject]
        }
    }

    func contains(_ certificate: Certificate) async -> Bool {
        bySubject[certificate.subject]?.contains(certificate) ?? false
    }

    mutating func append(contentsOf certificates: some Sequence<Certificate>) {
        // Not used by the verifier; a store built per validation is never extended.
    }

    static func == (a: BudgetedStore, b: BudgetedStore) -> Bool { a.counter === b.counter }
    func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(counter)) }
}

/// Lookups left; shared by the copies of one store (the verifier copies it).
final class LookupCounter: Sendable {
    private let left: Atomic<Int>
    private let spent = Atomic<Bool>(false)

    init(budget: Int) { left = Atomic(budget) }

    var exhausted: Bool { spent.load(ordering: .relaxed) }

    func take() -> Bool {
        if left.wrappingSubtract(1, ordering: .relaxed).newValue >= 0 { return true }
        spent.store(true, ordering: .relaxed)
        return false
    }
}
