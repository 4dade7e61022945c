import Foundation
import HTTPTypes
import Hummingbird
import TansiqAgent
import TansiqFHIR
import TansiqMessages

/// `GET /api/referrals/{id}/fhir`: TansiqFHIR's R4 Bundle of a referral this agent knows, built
/// from no more than the agent knows: the body only if the agent holds it (its own referrals, and
/// on the coordinator's desk those whose consent shares them), the state changes it applied, and
/// otherwise the hub's de-identified view alone (no subject, no reasons, no note).
extension Desk {
    func addFHIRRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/referrals/:id/fhir") { [self] request, context in
            let visit = visit(request)
            guard visit.session != nil else { return Self.plain(.unauthorized, visit.language("error.signin")) }
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { return Self.plain(.notFound, "unknown referral") }
            do {
                let trail = try await agent { context in Self.trail(of: id, in: context) }
                guard let trail else { return Self.plain(.notFound, "unknown referral") }
                let data = try ReferralFHIRExport.json(of: trail, pretty: true)
                return Response(status: .ok, headers: [.contentType: "application/fhir+json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
            } catch let error as DeskError {
                return Self.plain(error.status, error.message)
            } catch {
                return Self.plain(.internalServerError, "the bundle could not be built: \(error)")
            }
        }
    }

    private static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    /// The referral's trail as this agent holds it, or nil when it knows nothing of it.
    static func trail(of id: UUID, in context: AgentContext) -> ReferralTrail? {
        let tracked = context.referrals[id]
        let view = context.networkOverview.views[id]
        var messages: [ReferralTrail.Message] = []
        var sequence: UInt64 = 0
        if let tracked {
            let referral = tracked.referral
            let sent = tracked.sentAt ?? context.networkOverview.trails[id]?.first?.at ?? referral.consent.recordedAt
            if let topic = try? referral.receivingAgency.map({ try Topic.referral(to: $0, category: referral.category) })
                ?? Topic.openReferral(category: referral.category, referrer: referral.referringAgency) {
                sequence += 1
                messages.append(.init(
                    envelope: Envelope(topic: topic, source: referral.referringAgency, agent: referral.referringAgency, payload: .referral(referral), time: sent),
                    sequence: sequence, receivedAt: sent))
            }
            for update in tracked.history {
                let addressee = update.changedBy == referral.referringAgency ? (tracked.receiver ?? referral.referringAgency) : referral.referringAgency
                guard let topic = try? Topic.status(addressee: addressee, sender: update.changedBy, category: referral.category) else { continue }
                sequence += 1
                messages.append(.init(
                    envelope: Envelope(topic: topic, source: update.changedBy, agent: update.changedBy, payload: .referralStatus(update), time: update.changedAt),
                    sequence: sequence, receivedAt: update.changedAt))
            }
        }
        let summary = view.map { view in
            ReferralTrail.Summary(
                referralId: id, referrer: view.referrer, receiver: view.receiver, category: view.category, priority: view.priority,
                followUpOn: view.followUpOn, state: view.state,
                createdAt: context.networkOverview.trails[id]?.first?.at ?? view.updatedAt)
        }
        guard tracked != nil || summary != nil else { return nil }
        return try? ReferralTrail(referralId: id, messages: messages, summary: summary)
    }
}
