import Foundation
import Logging
import TansiqMessages

extension HubLoop {
    /// Records an accepted heartbeat, and queues `hub/presence/<agency>` `back` when the
    /// agency had gone silent.
    func notePresence(_ accepted: AcceptedMessage, body: [UInt8]) {
        // The validator's decoding when it read the body; header-only validation skipped it.
        let payload = accepted.payload ?? (try? MessageCodec.decode(topic: accepted.topic, header: accepted.header, body: body).payload)
        guard case .presence(let heartbeat)? = payload else { return }
        noteAgencyPresence(of: heartbeat.agency, silent: false, heartbeat: true)
        guard let notice = presence.heard(heartbeat, at: Date(), instant: .now) else { return }
        publishPresence(notice)
    }

    /// Queues `hub/presence/<agency>` `silent` for each agency whose heartbeats stopped.
    func publishPresenceChanges() throws {
        for notice in presence.silences(at: Date(), instant: .now) {
            publishPresence(notice)
        }
    }

    private func publishPresence(_ notice: HubPresence) {
        noteAgencyPresence(of: notice.agency, silent: notice.state == .silent, heartbeat: false)
        logger.info(
            notice.state == .silent ? "agency went silent" : "agency is back",
            metadata: ["agency": "\(notice.agency)", "silent-for-seconds": "\(notice.silentForSeconds)"])
        do {
            publishOwn(topic: try Topic.hubPresence(agency: notice.agency), payload: .hubPresence(notice))
        } catch {
            logger.error("cannot address a presence notice", metadata: ["agency": "\(notice.agency)"])
        }
    }
}
