@testable import TLSDumpAnalysis
import XCTest

/// The handshake state machine on its own: every transition it accepts,
/// every one it refuses (nil, never a trap), and a property test over
/// random inputs: a handshake only moves forward and ends in exactly one outcome.
final class HandshakePhaseTests: XCTestCase {
    private let first = HandshakeRole(initiator: .client, isRenegotiation: false)
    private let byServer = HandshakeRole(initiator: .server, isRenegotiation: true)
    private let byClient = HandshakeRole(initiator: .client, isRenegotiation: true)
    private let none = SidePair(client: false, server: false)

    private func run(_ inputs: [HandshakeInput], from start: HandshakePhase, _ role: HandshakeRole) -> HandshakePhase? {
        var phase = start
        for input in inputs {
            guard let next = phase.next(on: input, in: role) else { return nil }
            phase = next
        }
        return phase
    }

    // MARK: - accepted transitions

    func testFullTLS12HandshakeCompletes() {
        let phase = run([.serverHello(helloRetry: false), .serverFlight, .serverFlight, .serverFlight, .clientFlight,
                         .changeCipherSpec(.client), .finished(.client), .changeCipherSpec(.server), .finished(.server)],
                        from: .helloSent(retried: false), first)
        XCTAssertEqual(phase, .completed)
    }

    func testResumptionServerFinishesFirst() {
        var phase = HandshakePhase.helloSent(retried: false)
        phase = phase.next(on: .serverHello(helloRetry: false), in: first) ?? phase
        XCTAssertEqual(phase, .serverFlight)
        phase = phase.next(on: .changeCipherSpec(.server), in: first) ?? phase
        XCTAssertEqual(phase, .changingCipher(changed: SidePair(client: false, server: true), finished: none))
        phase = phase.next(on: .finished(.server), in: first) ?? phase
        XCTAssertEqual(phase, .changingCipher(changed: SidePair(client: false, server: true), finished: SidePair(client: false, server: true)))
        XCTAssertTrue(phase.changedCipher(.server) && !phase.changedCipher(.client) && phase.finished(.server) && !phase.finished(.client))
        phase = phase.next(on: .changeCipherSpec(.client), in: first) ?? phase
        phase = phase.next(on: .finished(.client), in: first) ?? phase
        XCTAssertEqual(phase, .completed)
        XCTAssertEqual(phase.outcome, .completed)
    }

    func testHelloRetryRequestThenSecondHello() {
        XCTAssertEqual(HandshakePhase.helloSent(retried: false).next(on: .serverHello(helloRetry: true), in: first), .helloRetryRequested)
        XCTAssertEqual(HandshakePhase.helloRetryRequested.next(on: .clientHello, in: first), .helloSent(retried: true))
        XCTAssertEqual(HandshakePhase.helloSent(retried: true).next(on: .serverHello(helloRetry: false), in: first), .serverFlight)
    }

    func testTLS13ClientFlightAfterServerFinished() {
        let afterServer = HandshakePhase.changingCipher(changed: none, finished: SidePair(client: false, server: true))
        XCTAssertEqual(afterServer.next(on: .clientFlight, in: first), afterServer, "certificate/verify after the server's Finished")
        XCTAssertEqual(afterServer.next(on: .finished(.client), in: first), .completed)
    }

    func testServerRequestAnsweredThenCompleted() {
        let phase = run([.clientHello, .serverHello(helloRetry: false), .serverFlight, .clientFlight,
                         .changeCipherSpec(.client), .finished(.client), .changeCipherSpec(.server), .finished(.server)],
                        from: .requested, byServer)
        XCTAssertEqual(phase, .completed)
    }

    func testMissedMessagesStillMoveForward() {
        // A capture that lost the ServerHello: the server's flight, then the client's.
        XCTAssertEqual(HandshakePhase.helloSent(retried: false).next(on: .serverFlight, in: first), .serverFlight)
        XCTAssertEqual(HandshakePhase.helloSent(retried: false).next(on: .clientFlight, in: first), .keyExchange)
        XCTAssertEqual(HandshakePhase.requested.next(on: .serverHello(helloRetry: false), in: byServer), .serverFlight)
    }

    // MARK: - refusals and failures

    func testAlertInsteadOfHelloIsARefusal() {
        // Server asked; the client answers with no_renegotiation (a warning) instead of a ClientHello.
        XCTAssertEqual(HandshakePhase.requested.next(on: .alert(from: .client, level: 1, description: 100, encrypted: false), in: byServer),
                       .refused(by: .client, alert: 100))
        // Encrypted, nothing readable: still instead of a hello.
        XCTAssertEqual(HandshakePhase.requested.next(on: .alert(from: .client, level: nil, description: nil, encrypted: true), in: byServer),
                       .refused(by: .client, alert: nil))
        // Client asked; the server answers its ClientHello with an alert.
        XCTAssertEqual(HandshakePhase.helloSent(retried: false).next(on: .alert(from: .server, level: 2, description: 40, encrypted: true), in: byClient),
                       .refused(by: .server, alert: 40))
    }

    func testAlertAfterTheHelloIsAFailure() {
        // The client answered the HelloRequest with a ClientHello, then sent a fatal internal_error.
        let answered = HandshakePhase.requested.next(on: .clientHello, in: byServer)
        XCTAssertEqual(answered, .helloSent(retried: false))
        let alert = HandshakeInput.alert(from: .client, level: 2, description: 80, encrypted: true)
        XCTAssertEqual(answered?.next(on: alert, in: byServer),
                       .failed(by: .client, reason: .alert(by: .client, level: 2, description: 80, encrypted: true)))
        // A no_renegotiation after the hello is a failure too, not a refusal.
        let late = HandshakeInput.alert(from: .client, level: 1, description: 100, encrypted: true)
        XCTAssertEqual(answered?.next(on: late, in: byServer)?.outcome, .failed)
        // The server's reply to a client's renegotiation, then its alert.
        XCTAssertEqual(HandshakePhase.serverFlight.next(on: .alert(from: .server, level: 2, description: 40, encrypted: true), in: byClient)?.outcome, .failed)
    }

    func testWarningsInTheClearChangeNothing() {
        XCTAssertEqual(HandshakePhase.serverFlight.next(on: .alert(from: .client, level: 1, description: 0, encrypted: false), in: first), .serverFlight)
        XCTAssertEqual(HandshakePhase.keyExchange.next(on: .alert(from: .server, level: 1, description: 90, encrypted: false), in: byServer), .keyExchange)
    }

    func testFirstHandshakeFailsOnFatalOrEncryptedAlertNeverRefuses() {
        XCTAssertEqual(HandshakePhase.helloSent(retried: false).next(on: .alert(from: .server, level: 2, description: 40, encrypted: false), in: first),
                       .failed(by: .server, reason: .alert(by: .server, level: 2, description: 40, encrypted: false)))
        XCTAssertEqual(HandshakePhase.keyExchange.next(on: .alert(from: .client, level: nil, description: nil, encrypted: true), in: first)?.outcome, .failed)
    }

    func testResetAndSilence() {
        XCTAssertEqual(HandshakePhase.serverFlight.next(on: .reset(by: .client), in: first), .failed(by: .client, reason: .reset(by: .client)))
        XCTAssertEqual(HandshakePhase.requested.next(on: .ignored(by: .client), in: byServer), .failed(by: .client, reason: .ignored(by: .client)))
        XCTAssertNil(HandshakePhase.helloSent(retried: false).next(on: .ignored(by: .client), in: byServer), "answered: it did not ignore the request")
        XCTAssertNil(HandshakePhase.serverFlight.next(on: .ignored(by: .server), in: first), "only a renegotiation can be ignored")
        XCTAssertEqual(HandshakePhase.keyExchange.next(on: .ended, in: first), .abandoned)
        XCTAssertEqual(HandshakePhase.abandoned.outcome, .unknown)
    }

    // MARK: - refused transitions (the session reports them; nothing traps)

    func testIllegalTransitionsAreRefused() {
        let cases: [(HandshakePhase, HandshakeInput)] = [
            (.serverFlight, .serverHello(helloRetry: false)),          // a second ServerHello
            (.keyExchange, .serverHello(helloRetry: false)),
            (.helloSent(retried: true), .serverHello(helloRetry: true)), // a second HelloRetryRequest
            (.serverFlight, .clientHello),                               // a ClientHello in the middle
            (.keyExchange, .clientHello),
            (.changingCipher(changed: none, finished: none), .serverHello(helloRetry: false)),
            (.requested, .clientFlight),                                 // key exchange before any hello
            (.changingCipher(changed: none, finished: none), .clientHello),
        ]
        for (phase, input) in cases {
            XCTAssertNil(phase.next(on: input, in: first), "\(phase) accepted \(input)")
        }
        // Nothing moves a final phase.
        let finals: [HandshakePhase] = [.completed, .refused(by: .client, alert: 100), .failed(by: nil, reason: .reset(by: .server)), .abandoned]
        let inputs: [HandshakeInput] = [.clientHello, .serverHello(helloRetry: false), .serverFlight, .clientFlight, .changeCipherSpec(.client),
                                        .finished(.server), .alert(from: .client, level: 2, description: 80, encrypted: false),
                                        .reset(by: .client), .ignored(by: .client), .ended]
        for phase in finals {
            XCTAssertTrue(phase.isFinal)
            for input in inputs { XCTAssertNil(phase.next(on: input, in: byServer), "\(phase) moved on \(input)") }
        }
    }

    // MARK: - property: forward only, exactly one outcome

    func testRandomInputsOnlyMoveForwardAndEndInOneOutcome() {
        var rng = SplitMix(seed: 0x7_15d_00b)
        let roles = [first, byServer, byClient, HandshakeRole(initiator: nil, isRenegotiation: false)]
        let starts: [HandshakePhase] = [.requested, .helloSent(retried: false)]
        var outcomes: [HandshakeOutcome: Int] = [:]
        for _ in 0..<20_000 {
            let role = roles[rng.below(roles.count)]
            var phase = starts[rng.below(starts.count)]
            var finalSince: HandshakePhase?
            for _ in 0..<rng.below(14) {
                let input = randomInput(&rng)
                let before = phase
                if let next = phase.next(on: input, in: role) {
                    XCTAssertGreaterThanOrEqual(next.rank, before.rank, "\(before) -> \(next) on \(input) went backwards")
                    if next.rank == before.rank && next != before {
                        XCTFail("\(before) -> \(next) on \(input): a sideways move")
                    }
                    phase = next
                }
                if let final = finalSince { XCTAssertEqual(phase, final, "a final phase moved") }
                if phase.isFinal && finalSince == nil { finalSince = phase }
            }
            if !phase.isFinal { phase = phase.next(on: .ended, in: role) ?? phase }
            XCTAssertTrue(phase.isFinal, "\(phase) did not end")
            let outcome = phase.outcome
            let flags = [phase == .completed, phase.endedUnsuccessfully, phase == .abandoned]
            XCTAssertEqual(flags.filter { $0 }.count, 1, "\(phase): exactly one of completed, refused/failed, abandoned")
            outcomes[outcome, default: 0] += 1
        }
        // The generator reaches every outcome (the test would prove nothing otherwise).
        for outcome in [HandshakeOutcome.completed, .refused, .failed, .unknown] {
            XCTAssertGreaterThan(outcomes[outcome] ?? 0, 100, "\(outcome): \(outcomes)")
        }
    }

    private func randomInput(_ rng: inout SplitMix) -> HandshakeInput {
        let side: Side = rng.below(2) == 0 ? .client : .server
        switch rng.below(12) {
        case 0: return .clientHello
        case 1: return .serverHello(helloRetry: rng.below(5) == 0)
        case 2, 3: return .serverFlight
        case 4: return .clientFlight
        case 5, 6: return .changeCipherSpec(side)
        case 7, 8: return .finished(side)
        case 9:
            let encrypted = rng.below(2) == 0
            return .alert(from: side, level: encrypted && rng.below(2) == 0 ? nil : UInt8(1 + rng.below(2)),
                          description: [0, 40, 80, 100][rng.below(4)], encrypted: encrypted)
        case 10: return .reset(by: side)
        default: return .ignored(by: side)
        }
    }
}

/// A small seeded generator: the same sequences on every run.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
