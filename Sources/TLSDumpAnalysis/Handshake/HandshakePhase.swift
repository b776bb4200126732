import TLSDumpTLS

/// Where one handshake stands: an explicit state machine. Each case carries
/// what that step knows; `HandshakePhase.next(on:in:)` is the only place a
/// handshake moves, and it moves only forward. An input a phase does not
/// accept is answered with `nil` (the session reports it as a finding and
/// the phase stays): never a trap.
///
///     requested ─ClientHello─▶ helloSent ─ServerHello─▶ serverFlight ─▶ keyExchange
///                                 │  HelloRetryRequest                        │
///                                 └─▶ helloRetryRequested ─ClientHello─▶ helloSent(retried) ─ServerHello─▶ ...
///     ChangeCipherSpec / Finished (either side, any order) ─▶ changingCipher ─both Finished─▶ completed
///     any phase before a final one ─alert / reset / silence / end─▶ refused | failed | abandoned
///     any phase before a final one ─TCP close (FIN) without an alert─▶ closed(by:)
public enum HandshakePhase: Sendable, Equatable {
    /// The server asked for a handshake (HelloRequest); no ClientHello yet.
    case requested
    /// The client's hello is out (or was missed: a handshake picked up later
    /// starts here); `retried`: its second, after a HelloRetryRequest.
    case helloSent(retried: Bool)
    /// TLS 1.3: the server asked for another ClientHello.
    case helloRetryRequested
    /// The ServerHello is out; the server's flight follows.
    case serverFlight
    /// The client answered the server's flight (ClientKeyExchange, its certificate).
    case keyExchange
    /// ChangeCipherSpec and Finished per side, as far as they were seen.
    case changingCipher(changed: SidePair<Bool>, finished: SidePair<Bool>)
    /// Both Finished messages (or their records) were seen.
    case completed
    /// The side asked to handshake answered with an alert instead of a hello.
    case refused(by: Side, alert: UInt8?)
    /// An alert, a reset or silence ended it after it began.
    case failed(by: Side?, reason: HandshakeFailure)
    /// The connection ended (or the capture did) before any outcome.
    case abandoned
    /// A side closed its half of the TCP connection (FIN) without an alert
    /// while the handshake ran: the handshake was abandoned by that side (an
    /// alert the other side sends afterwards answers the close; it does not
    /// change who ended it).
    case closed(by: Side)

    public var isFinal: Bool {
        switch self {
        case .completed, .refused, .failed, .abandoned, .closed: true
        default: false
        }
    }

    public var isCompleted: Bool { self == .completed }

    /// Ended without completing: a refusal or a failure.
    var endedUnsuccessfully: Bool {
        switch self {
        case .refused, .failed: true
        default: false
        }
    }

    public var outcome: HandshakeOutcome {
        switch self {
        case .completed: .completed
        case .refused: .refused
        case .failed: .failed
        case .closed: .abandoned
        default: .unknown
        }
    }

    /// The side's ChangeCipherSpec was seen.
    func changedCipher(_ side: Side) -> Bool {
        if case .changingCipher(let changed, _) = self { return changed[side] }
        return self == .completed
    }

    /// The side's Finished was seen.
    func finished(_ side: Side) -> Bool {
        if case .changingCipher(_, let finished) = self { return finished[side] }
        return self == .completed
    }

    /// The ServerHello (or something after it) was seen.
    var serverHelloSeen: Bool {
        switch self {
        case .requested, .helloSent, .helloRetryRequested: false
        default: true
        }
    }

    /// Progress, for checking that a handshake only moves forward: each
    /// transition keeps or raises it, and final phases are highest.
    var rank: Int {
        switch self {
        case .requested: 0
        case .helloSent(let retried): retried ? 3 : 1
        case .helloRetryRequested: 2
        case .serverFlight: 4
        case .keyExchange: 5
        case .changingCipher(let changed, let finished):
            6 + [changed.client, changed.server, finished.client, finished.server].filter { $0 }.count
        case .completed, .refused, .failed, .abandoned, .closed: 11
        }
    }

    /// Who ended it, when it ended without completing (nil otherwise, and for `abandoned`: the capture ended).
    public var endedBy: Side? {
        switch self {
        case .refused(let side, _): side
        case .failed(let side, let reason): side ?? reason.side
        case .closed(let side): side
        default: nil
        }
    }

    /// How: an alert's name (`encrypted_alert` when unread), `tcp_close`, `tcp_reset`, `ignored`.
    public var endReason: String? {
        switch self {
        case .refused(_, let alert): alert.flatMap { TLSRegistry.alertName($0) } ?? "encrypted_alert"
        case .failed(_, let reason): reason.endReason
        case .closed: "tcp_close"
        default: nil
        }
    }

    /// A name for messages and findings.
    public var name: String {
        switch self {
        case .requested: "requested"
        case .helloSent: "hello_sent"
        case .helloRetryRequested: "hello_retry_requested"
        case .serverFlight: "server_flight"
        case .keyExchange: "key_exchange"
        case .changingCipher: "change_cipher"
        case .completed: "completed"
        case .refused: "refused"
        case .failed: "failed"
        case .abandoned: "abandoned"
        case .closed: "closed"
        }
    }
}

/// How a handshake ended, as the contract names it (`outcome`).
/// `abandoned`: a side closed TCP without an alert before it ended (`ended_by` says which).
public enum HandshakeOutcome: String, Sendable {
    case completed, refused, failed, abandoned, unknown
}

public typealias RenegotiationOutcome = HandshakeOutcome

/// Why a handshake failed.
public enum HandshakeFailure: Sendable, Equatable {
    /// An alert ended it (`level`/`description` nil when it was encrypted).
    case alert(by: Side, level: UInt8?, description: UInt8?, encrypted: Bool)
    case reset(by: Side)
    /// The side asked kept sending application data and never answered.
    case ignored(by: Side)

    public var side: Side {
        switch self {
        case .alert(let side, _, _, _), .reset(let side), .ignored(let side): side
        }
    }

    /// The contract's `end_reason`: the alert's name (`encrypted_alert` when it
    /// could not be read), `tcp_reset`, or `ignored`.
    public var endReason: String {
        switch self {
        case .alert(_, _, let description, _):
            description.flatMap { TLSRegistry.alertName($0) } ?? (description.map { "alert_\($0)" } ?? "encrypted_alert")
        case .reset: "tcp_reset"
        case .ignored: "ignored"
        }
    }

    /// The reason in words, as the `renegotiation.failed` finding gives it.
    public var reason: String {
        switch self {
        case .alert(let side, let level, let description, let encrypted):
            if encrypted && level == nil { return "the \(side.rawValue) sent an encrypted alert" }
            let name = description.flatMap { TLSRegistry.alertName($0) }
            return "the \(side.rawValue) sent a \(level == 2 ? "fatal" : "warning") \(name ?? "unknown") alert"
        case .reset(let side):
            return "the \(side.rawValue) reset the connection"
        case .ignored(let side):
            return "the \(side.rawValue) ignored the request and kept sending application data"
        }
    }
}

/// What a handshake can be told.
enum HandshakeInput: Sendable, Equatable {
    case clientHello
    case serverHello(helloRetry: Bool)
    /// Certificate, CertificateStatus, ServerKeyExchange, CertificateRequest, ServerHelloDone
    /// (or an encrypted record of the server's flight).
    case serverFlight
    /// ClientKeyExchange, the client's Certificate or CertificateVerify (or its encrypted flight).
    case clientFlight
    case changeCipherSpec(Side)
    case finished(Side)
    /// An alert during the handshake (`description` nil when encrypted).
    case alert(from: Side, level: UInt8?, description: UInt8?, encrypted: Bool)
    case reset(by: Side)
    /// The side closed its half of the TCP connection (FIN).
    case closed(by: Side)
    /// The side asked to handshake kept sending application data instead.
    case ignored(by: Side)
    /// The connection (or the input) ended.
    case ended

    var name: String {
        switch self {
        case .clientHello: "a ClientHello"
        case .serverHello(let retry): retry ? "a HelloRetryRequest" : "a ServerHello"
        case .serverFlight: "a server flight message"
        case .clientFlight: "a client flight message"
        case .changeCipherSpec: "a ChangeCipherSpec"
        case .finished: "a Finished"
        case .alert: "an alert"
        case .reset: "a reset"
        case .closed: "a TCP close"
        case .ignored: "application data"
        case .ended: "the end of the connection"
        }
    }
}

/// What the machine needs to know of its handshake besides the phase.
struct HandshakeRole: Sendable, Equatable {
    /// Who started it (nil: not seen, a connection picked up mid-stream).
    var initiator: Side?
    /// A renegotiation (not the connection's first handshake).
    var isRenegotiation: Bool
}

extension HandshakePhase {
    /// The one transition function. `nil`: the phase does not accept the
    /// input (a message out of its place); the caller keeps the phase.
    /// `.some(self)`: accepted, nothing changes (a repeated flight message).
    func next(on input: HandshakeInput, in role: HandshakeRole) -> HandshakePhase? {
        if isFinal { return nil }
        switch input {
        case .clientHello:
            switch self {
            case .requested: return .helloSent(retried: false)
            case .helloSent: return self   // the same hello again (a retransmission the capture kept)
            case .helloRetryRequested: return .helloSent(retried: true)
            default: return nil
            }
        case .serverHello(let retry):
            switch self {
            case .requested, .helloSent(retried: false): return retry ? .helloRetryRequested : .serverFlight
            case .helloSent(retried: true): return retry ? nil : .serverFlight   // one HelloRetryRequest at most (RFC 8446 4.1.4)
            default: return nil
            }
        case .serverFlight:
            switch self {
            case .requested, .helloSent, .serverFlight: return .serverFlight
            case .keyExchange, .changingCipher: return self   // TLS 1.3 with keys: the server's flight is read after its records were counted
            default: return nil
            }
        case .clientFlight:
            switch self {
            case .helloSent, .serverFlight, .keyExchange: return .keyExchange
            case .changingCipher: return self   // TLS 1.3: the client's certificate follows the server's Finished
            default: return nil
            }
        case .changeCipherSpec(let side):
            var (changed, finished) = progress
            changed[side] = true
            return .changingCipher(changed: changed, finished: finished)
        case .finished(let side):
            var (changed, finished) = progress
            finished[side] = true
            if finished.client && finished.server { return .completed }
            return .changingCipher(changed: changed, finished: finished)
        case .alert(let from, let level, let description, let encrypted):
            return afterAlert(from: from, level: level, description: description, encrypted: encrypted, role: role)
        case .reset(let side):
            return .failed(by: side, reason: .reset(by: side))
        case .closed(let side):
            return .closed(by: side)
        case .ignored(let side):
            guard role.isRenegotiation, !answered(in: role) else { return nil }
            return .failed(by: side, reason: .ignored(by: side))
        case .ended:
            return .abandoned
        }
    }

    private var progress: (SidePair<Bool>, SidePair<Bool>) {
        if case .changingCipher(let changed, let finished) = self { return (changed, finished) }
        return (SidePair(client: false, server: false), SidePair(client: false, server: false))
    }

    /// The side asked to handshake sent its hello (the client's ClientHello
    /// after a HelloRequest, the server's reply to a client's renegotiation).
    func answered(in role: HandshakeRole) -> Bool {
        switch role.initiator {
        case .server?: self != .requested
        case .client?: serverHelloSeen
        case nil: true
        }
    }

    /// A renegotiation is refused by the side asked when its alert comes
    /// instead of its hello, and fails by an alert after it (a fatal or
    /// encrypted one, or no_renegotiation); the first handshake fails on a
    /// fatal or encrypted alert. Other warnings change nothing.
    private func afterAlert(from side: Side, level: UInt8?, description: UInt8?, encrypted: Bool, role: HandshakeRole) -> HandshakePhase {
        let failure = HandshakeFailure.alert(by: side, level: level, description: description, encrypted: encrypted)
        // An alert on an encrypted record ends a handshake whatever it says
        // (read with keys or not: the story with keys must not contradict the one without).
        let ends = level == 2 || encrypted
        guard role.isRenegotiation, let initiator = role.initiator else {
            return ends ? .failed(by: side, reason: failure) : self
        }
        if side == initiator.other && !answered(in: role) { return .refused(by: side, alert: description) }
        if ends || description == AlertDescription.noRenegotiation { return .failed(by: side, reason: failure) }
        return self
    }
}

enum AlertDescription {
    static let noRenegotiation: UInt8 = 100
}
