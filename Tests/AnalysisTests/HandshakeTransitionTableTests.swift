@testable import TLSDumpAnalysis
import XCTest

/// Every phase against every input, checked against a table written out
/// here as the specification (independently of the transition function):
/// what each step accepts, where it leads, and what it refuses.
final class HandshakeTransitionTableTests: XCTestCase {
    private static let none = SidePair(client: false, server: false)
    private static let phases: [(String, HandshakePhase)] = [
        ("requested", .requested),
        ("hello", .helloSent(retried: false)),
        ("hello2", .helloSent(retried: true)),
        ("hrr", .helloRetryRequested),
        ("flight", .serverFlight),
        ("kex", .keyExchange),
        ("ccs-", .changingCipher(changed: none, finished: none)),
        ("ccsC", .changingCipher(changed: SidePair(client: true, server: false), finished: none)),
        ("ccsS+finS", .changingCipher(changed: SidePair(client: false, server: true), finished: SidePair(client: false, server: true))),
        ("completed", .completed),
        ("refused", .refused(by: .client, alert: 100)),
        ("failed", .failed(by: .server, reason: .reset(by: .server))),
        ("abandoned", .abandoned),
    ]
    private static let inputs: [(String, HandshakeInput)] = [
        ("CH", .clientHello), ("SH", .serverHello(helloRetry: false)), ("HRR", .serverHello(helloRetry: true)),
        ("SF", .serverFlight), ("CF", .clientFlight),
        ("ccsC", .changeCipherSpec(.client)), ("ccsS", .changeCipherSpec(.server)),
        ("finC", .finished(.client)), ("finS", .finished(.server)),
        ("rstC", .reset(by: .client)), ("end", .ended),
    ]
    /// Phase -> input -> resulting phase ("-": refused, "=": accepted, unchanged).
    private static let table: [String: [String: String]] = [
        "requested": ["CH": "hello", "SH": "flight", "HRR": "hrr", "SF": "flight", "CF": "-",
                      "ccsC": "ccsC", "ccsS": "ccsS", "finC": "finC", "finS": "finS", "rstC": "failedC", "end": "abandoned"],
        "hello": ["CH": "=", "SH": "flight", "HRR": "hrr", "SF": "flight", "CF": "kex",
                  "ccsC": "ccsC", "ccsS": "ccsS", "finC": "finC", "finS": "finS", "rstC": "failedC", "end": "abandoned"],
        "hello2": ["CH": "=", "SH": "flight", "HRR": "-", "SF": "flight", "CF": "kex",
                   "ccsC": "ccsC", "ccsS": "ccsS", "finC": "finC", "finS": "finS", "rstC": "failedC", "end": "abandoned"],
        "hrr": ["CH": "hello2", "SH": "-", "HRR": "-", "SF": "-", "CF": "-",
                "ccsC": "ccsC", "ccsS": "ccsS", "finC": "finC", "finS": "finS", "rstC": "failedC", "end": "abandoned"],
        "flight": ["CH": "-", "SH": "-", "HRR": "-", "SF": "=", "CF": "kex",
                   "ccsC": "ccsC", "ccsS": "ccsS", "finC": "finC", "finS": "finS", "rstC": "failedC", "end": "abandoned"],
        "kex": ["CH": "-", "SH": "-", "HRR": "-", "SF": "=", "CF": "=",
                "ccsC": "ccsC", "ccsS": "ccsS", "finC": "finC", "finS": "finS", "rstC": "failedC", "end": "abandoned"],
        "ccs-": ["CH": "-", "SH": "-", "HRR": "-", "SF": "=", "CF": "=",
                 "ccsC": "ccsC", "ccsS": "ccsS", "finC": "finC", "finS": "finS", "rstC": "failedC", "end": "abandoned"],
        "ccsC": ["CH": "-", "SH": "-", "HRR": "-", "SF": "=", "CF": "=",
                 "ccsC": "=", "ccsS": "ccsCS", "finC": "ccsC+finC", "finS": "ccsC+finS", "rstC": "failedC", "end": "abandoned"],
        "ccsS+finS": ["CH": "-", "SH": "-", "HRR": "-", "SF": "=", "CF": "=",
                      "ccsC": "ccsCS+finS", "ccsS": "=", "finC": "completed", "finS": "=", "rstC": "failedC", "end": "abandoned"],
    ]
    private static let named: [String: HandshakePhase] = {
        var names = Dictionary(uniqueKeysWithValues: phases)
        let t = SidePair(client: true, server: true)
        names["ccsS"] = .changingCipher(changed: SidePair(client: false, server: true), finished: none)
        names["finC"] = .changingCipher(changed: none, finished: SidePair(client: true, server: false))
        names["finS"] = .changingCipher(changed: none, finished: SidePair(client: false, server: true))
        names["ccsCS"] = .changingCipher(changed: t, finished: none)
        names["ccsC+finC"] = .changingCipher(changed: SidePair(client: true, server: false), finished: SidePair(client: true, server: false))
        names["ccsC+finS"] = .changingCipher(changed: SidePair(client: true, server: false), finished: SidePair(client: false, server: true))
        names["ccsCS+finS"] = .changingCipher(changed: t, finished: SidePair(client: false, server: true))
        names["failedC"] = .failed(by: .client, reason: .reset(by: .client))
        return names
    }()

    func testEveryPhaseAgainstEveryInput() {
        let role = HandshakeRole(initiator: .client, isRenegotiation: false)
        var checked = 0
        for (phaseName, phase) in Self.phases {
            for (inputName, input) in Self.inputs {
                let got = phase.next(on: input, in: role)
                guard let row = Self.table[phaseName] else {
                    XCTAssertTrue(phase.isFinal, phaseName)
                    XCTAssertNil(got, "\(phaseName) is final but took \(inputName)")
                    checked += 1
                    continue
                }
                let expected = row[inputName]
                switch expected {
                case "-"?: XCTAssertNil(got, "\(phaseName) + \(inputName) should be refused, got \(String(describing: got))")
                case "="?: XCTAssertEqual(got, phase, "\(phaseName) + \(inputName) should leave it as it is")
                case let name?: XCTAssertEqual(got, Self.named[name], "\(phaseName) + \(inputName) -> \(name)")
                case nil: XCTFail("the table has no entry for \(phaseName) + \(inputName)")
                }
                checked += 1
            }
        }
        XCTAssertEqual(checked, Self.phases.count * Self.inputs.count)
    }

    /// Alerts depend on who started the handshake and whether the side asked had answered.
    func testAlertsByRoleAndAnswer() {
        let first = HandshakeRole(initiator: .client, isRenegotiation: false)
        let byServer = HandshakeRole(initiator: .server, isRenegotiation: true)
        let byClient = HandshakeRole(initiator: .client, isRenegotiation: true)
        let warningClear = { (side: Side) in HandshakeInput.alert(from: side, level: 1, description: 0, encrypted: false) }
        let noRenegotiation = { (side: Side) in HandshakeInput.alert(from: side, level: 1, description: 100, encrypted: true) }
        let fatal = { (side: Side) in HandshakeInput.alert(from: side, level: 2, description: 80, encrypted: false) }
        let hidden = { (side: Side) in HandshakeInput.alert(from: side, level: nil, description: nil, encrypted: true) }
        // (role, phase, input, expected outcome; nil: phase unchanged)
        let cases: [(HandshakeRole, HandshakePhase, HandshakeInput, HandshakeOutcome?)] = [
            // The first handshake fails on fatal or encrypted alerts from either side, never refuses.
            (first, .helloSent(retried: false), fatal(.server), .failed),
            (first, .serverFlight, hidden(.client), .failed),
            (first, .keyExchange, warningClear(.client), nil),
            // Server-initiated: the client's alert before its ClientHello refuses; after it, fails.
            (byServer, .requested, noRenegotiation(.client), .refused),
            (byServer, .requested, hidden(.client), .refused),
            (byServer, .requested, warningClear(.client), .refused),
            (byServer, .helloSent(retried: false), noRenegotiation(.client), .failed),
            (byServer, .helloSent(retried: false), hidden(.client), .failed),
            (byServer, .serverFlight, fatal(.client), .failed),
            (byServer, .keyExchange, warningClear(.client), nil),
            // The initiator's own alert is never a refusal.
            (byServer, .requested, hidden(.server), .failed),
            (byServer, .requested, warningClear(.server), nil),
            // Client-initiated: the server's alert before its ServerHello refuses; after it, fails.
            (byClient, .helloSent(retried: false), noRenegotiation(.server), .refused),
            (byClient, .helloSent(retried: false), fatal(.server), .refused),
            (byClient, .serverFlight, fatal(.server), .failed),
            (byClient, .serverFlight, hidden(.client), .failed),
            (byClient, .helloSent(retried: false), warningClear(.client), nil),
        ]
        for (role, phase, input, expected) in cases {
            let got = phase.next(on: input, in: role)
            if let expected {
                XCTAssertEqual(got?.outcome, expected, "\(role) \(phase) \(input)")
            } else {
                XCTAssertEqual(got, phase, "\(role) \(phase) \(input): unchanged")
            }
        }
    }
}
