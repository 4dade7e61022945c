import Foundation
import TansiqMessages

/// Who may move each referral: the hub remembers, for the referrals it accepted, the referrer
/// and the receiver, and checks every status update against them.
///
/// The receiver of an open referral is the first agency other than the referrer whose status
/// update the hub accepts (the referrer's agents assign it to the first claim they hear, and
/// they hear claims in the hub's order). A later claim (a move out of `requested` by another
/// agency entitled to the open referral) still reaches the referrer, whose agent answers it
/// with a cancellation (`assigned-elsewhere`); any other move by a later claimant is refused.
/// Memory is bounded: past `capacity` referrals the
/// oldest are forgotten, and updates of a referral the hub does not know are let through
/// (counted), as after a restart; agents check them against their own record.
struct ReferralParties {
    struct Parties: Equatable {
        var referrer: String
        var receiver: String?
        /// The topic of an open referral: who may claim it is who may receive it.
        var openTopic: String?
    }

    enum Verdict: Equatable {
        case allowed
        case unknownReferral
        case refused(String)
    }

    let capacity: Int
    private var parties: [UUID: Parties] = [:]
    private var order: [UUID] = []
    private var oldest = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { parties.count }

    subscript(id: UUID) -> Parties? { parties[id] }

    /// Remembers a referral's parties; the first record of an id wins.
    mutating func record(referral id: UUID, referrer: String, receiver: String?, openTopic: String? = nil) {
        guard parties[id] == nil else { return }
        if parties.count >= capacity {
            // `order` is a ring once full: overwrite the oldest slot.
            parties[order[oldest]] = nil
            order[oldest] = id
            oldest = (oldest + 1) % order.count
        } else {
            order.append(id)
        }
        parties[id] = Parties(referrer: referrer, receiver: receiver, openTopic: receiver == nil ? openTopic : nil)
    }

    /// Checks a status update by `sender`; a first claim on an open referral makes the sender its
    /// receiver. `mayClaim` says whether an agency is entitled to an open referral on a topic.
    mutating func check(_ update: ReferralStatusUpdate, sender: String, mayClaim: (String, String) -> Bool = { _, _ in true }) -> Verdict {
        guard var known = parties[update.referralId] else { return .unknownReferral }
        let id = update.referralId.uuidString.lowercased()
        if update.state == .cancelled {
            guard sender == known.referrer else {
                return .refused("only the referrer '\(known.referrer)' cancels referral \(id); '\(sender)' may not")
            }
            return .allowed
        }
        guard sender != known.referrer else {
            return .refused("'\(sender)' referred \(id) and may only cancel it; the receiver makes every other move")
        }
        if let receiver = known.receiver, receiver == sender { return .allowed }
        if let openTopic = known.openTopic {
            guard mayClaim(sender, openTopic) else {
                return .refused("'\(sender)' may not claim open referral \(id) ('\(openTopic)')")
            }
            // A later claim goes to the referrer, who tells the claimant it was assigned elsewhere.
            if known.receiver != nil, update.previousState == .requested { return .allowed }
        }
        if let receiver = known.receiver {
            return .refused("referral \(id) is answered by '\(receiver)', not '\(sender)'")
        }
        known.receiver = sender
        parties[update.referralId] = known
        return .allowed
    }
}
