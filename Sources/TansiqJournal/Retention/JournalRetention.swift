/// How much history the journal keeps; `nil` limits nothing.
///
/// By size, count and age, retention deletes the oldest messages of the stream first, so the
/// journal stays a contiguous tail of the stream. Personal data is kept no longer than its
/// purpose needs, by default (Journal+PrivacyRetention.swift): housekeeping messages (statistics,
/// presence, service availability, rejections) for ``housekeepingMaxAge``, and every message
/// of a closed referral (completed, failed, cancelled, rejected) for ``closedReferralMaxAge``
/// after its closure. Those two delete from inside the stream: a replay skips what they deleted.
public struct JournalRetention: Sendable, Equatable {
    /// The default time housekeeping messages are kept: 7 days.
    public static let defaultHousekeepingMaxAge: Duration = .seconds(7 * 86_400)
    /// The default time a closed referral's messages are kept after its closure: 180 days.
    public static let defaultClosedReferralMaxAge: Duration = .seconds(180 * 86_400)

    /// Deletes messages received longer ago than this.
    public var maxAge: Duration?
    /// Keeps the stored bytes (topic, header and body of every message) under this size.
    public var maxBytes: Int64?
    /// Keeps at most this many messages.
    public var maxMessages: Int?
    /// Deletes housekeeping messages received longer ago than this; `nil` keeps them.
    public var housekeepingMaxAge: Duration?
    /// Deletes the messages of a referral closed longer ago than this; `nil` keeps them.
    public var closedReferralMaxAge: Duration?

    /// Creates a retention policy; by default housekeeping is kept 7 days and closed referrals
    /// 180 days after closure, with no limit of age, size or count on the rest.
    public init(
        maxAge: Duration? = nil, maxBytes: Int64? = nil, maxMessages: Int? = nil,
        housekeepingMaxAge: Duration? = JournalRetention.defaultHousekeepingMaxAge,
        closedReferralMaxAge: Duration? = JournalRetention.defaultClosedReferralMaxAge
    ) {
        self.maxAge = maxAge
        self.maxBytes = maxBytes
        self.maxMessages = maxMessages
        self.housekeepingMaxAge = housekeepingMaxAge
        self.closedReferralMaxAge = closedReferralMaxAge
    }

    /// Keeps everything: only when a deployment asks for it.
    public static let keepEverything = JournalRetention(housekeepingMaxAge: nil, closedReferralMaxAge: nil)
}
