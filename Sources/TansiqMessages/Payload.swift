import Foundation

/// A message body, typed by its kind.
public enum Payload: Sendable, Equatable {
    /// `referral`.
    case referral(Referral)
    /// `referral.status`.
    case referralStatus(ReferralStatusUpdate)
    /// `service.status`.
    case serviceStatus(ServiceStatus)
    /// `presence`.
    case presence(Presence)
    /// `escalation`.
    case escalation(Escalation)
    /// `hub.rejection`.
    case hubRejection(HubRejection)
    /// `hub.stats`.
    case hubStatistics(HubStatistics)
    /// `hub.presence`.
    case hubPresence(HubPresence)
    /// `hub.replay.request`.
    case replayRequest(ReplayRequest)
    /// `hub.replay.end`.
    case replayEnd(ReplayEnd)
    /// `hub.escalation` (1.1): an escalation the hub raised itself.
    case hubEscalation(Escalation)
    /// `hub.referral.view` (1.1).
    case referralView(ReferralView)
    /// `hub.referral.shared` (1.2): a referral's body for the coordinator, sent by the hub.
    case sharedReferral(Referral)
    /// `escalation.ack` (1.2).
    case escalationAcknowledgement(EscalationAcknowledgement)

    /// The kind the header must name.
    public var kind: MessageKind {
        switch self {
        case .referral: .referral
        case .referralStatus: .referralStatus
        case .serviceStatus: .serviceStatus
        case .presence: .presence
        case .escalation: .escalation
        case .hubRejection: .hubRejection
        case .hubStatistics: .hubStatistics
        case .hubPresence: .hubPresence
        case .replayRequest: .replayRequest
        case .replayEnd: .replayEnd
        case .hubEscalation: .hubEscalation
        case .referralView: .hubReferralView
        case .sharedReferral: .hubReferralShared
        case .escalationAcknowledgement: .escalationAcknowledgement
        }
    }

    /// The referral the body is about, for referrals, status updates and escalations.
    public var referralID: UUID? {
        switch self {
        case .referral(let referral): referral.referralId
        case .referralStatus(let update): update.referralId
        case .escalation(let escalation), .hubEscalation(let escalation): escalation.referralId
        case .referralView(let view): view.referralId
        case .sharedReferral(let referral): referral.referralId
        case .escalationAcknowledgement(let acknowledgement): acknowledgement.referralId
        default: nil
        }
    }

    var object: any WireObject {
        switch self {
        case .referral(let value): value
        case .referralStatus(let value): value
        case .serviceStatus(let value): value
        case .presence(let value): value
        case .escalation(let value): value
        case .hubRejection(let value): value
        case .hubStatistics(let value): value
        case .hubPresence(let value): value
        case .replayRequest(let value): value
        case .replayEnd(let value): value
        case .hubEscalation(let value): value
        case .referralView(let value): value
        case .sharedReferral(let value): value
        case .escalationAcknowledgement(let value): value
        }
    }

    /// Reads a body of a known kind.
    init(kind: MessageKind, fields: JSONFields) throws(ProtocolError) {
        switch kind {
        case .referral: self = .referral(try Referral(fields: fields))
        case .referralStatus: self = .referralStatus(try ReferralStatusUpdate(fields: fields))
        case .serviceStatus: self = .serviceStatus(try ServiceStatus(fields: fields))
        case .presence: self = .presence(try Presence(fields: fields))
        case .escalation: self = .escalation(try Escalation(fields: fields))
        case .hubRejection: self = .hubRejection(try HubRejection(fields: fields))
        case .hubStatistics: self = .hubStatistics(try HubStatistics(fields: fields))
        case .hubPresence: self = .hubPresence(try HubPresence(fields: fields))
        case .replayRequest: self = .replayRequest(try ReplayRequest(fields: fields))
        case .replayEnd: self = .replayEnd(try ReplayEnd(fields: fields))
        case .hubEscalation: self = .hubEscalation(try Escalation(fields: fields))
        case .hubReferralView: self = .referralView(try ReferralView(fields: fields))
        case .hubReferralShared: self = .sharedReferral(try Referral(fields: fields))
        case .escalationAcknowledgement: self = .escalationAcknowledgement(try EscalationAcknowledgement(fields: fields))
        default:
            throw ProtocolError(.unknownKind, "unknown message kind", keyPath: "header.type")
        }
    }
}
