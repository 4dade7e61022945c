import ArgumentParser
import TansiqAgent
import TansiqMessages

/// How a provider answers referrals (services, associations, the municipal desk).
struct ProviderOptions: ParsableArguments {
    @Option(help: "A service offered, as CATEGORY[:CAPACITY[:UNIT]] (repeatable), e.g. health:20 or shelter:12:places.")
    var service: [String] = []

    @Option(help: "Seconds from a referral's arrival to 'received': a number, or exponential:MEAN, uniform:MIN:MAX, lognormal:MEDIAN:P90.")
    var ackDelay: Distribution = .fixed(.seconds(1))

    @Option(help: "Seconds from 'received' to 'accepted' or 'rejected' (a number or a distribution, as --ack-delay).")
    var decideDelay: Distribution = .fixed(.seconds(2))

    @Option(help: "Seconds from 'in-progress' to 'completed' or 'failed' (a number or a distribution, as --ack-delay).")
    var serviceTime: Distribution = .fixed(.seconds(5))

    @Option(help: "Chance of accepting a referral when capacity allows (0–1).")
    var accept: Double = 1

    @Option(help: "Chance that an accepted referral fails (0–1).")
    var fail: Double = 0

    @Option(help: "Seconds between two service-status publications.")
    var statusInterval: Double = 60

    @Flag(help: "Do not take open referrals, only those addressed to this agency.")
    var noOpenReferrals = false

    @Flag(help: "Never answer (a silent partner, to see escalations).")
    var unresponsive = false

    @Flag(help: "Run no desk: receive and observe, answer nothing (a further agent of an agency whose first agent answers, or a commune that only refers).")
    var noDesk = false

    func validate() throws {
        _ = try offers()
        for (name, value) in [("--accept", accept), ("--fail", fail)] where !(0...1).contains(value) {
            throw ValidationError("\(name) must be between 0 and 1, got \(value)")
        }
        if statusInterval <= 0 { throw ValidationError("--status-interval must be positive") }
    }

    func offers() throws -> [ServiceCategory: ProviderPolicy.Offer] {
        var offers: [ServiceCategory: ProviderPolicy.Offer] = [:]
        for entry in service {
            let parts = entry.split(separator: ":", maxSplits: 2).map(String.init)
            let category = ServiceCategory(rawValue: parts[0])
            guard category.isKnown else {
                throw ValidationError("--service '\(entry)': unknown category '\(parts[0])'; use one of \(ServiceCategory.knownValues.map(\.rawValue).joined(separator: ", "))")
            }
            var capacity = 10
            if parts.count >= 2 {
                guard let value = Int(parts[1]), value >= 0 else {
                    throw ValidationError("--service '\(entry)': capacity must be a whole number ≥ 0")
                }
                capacity = value
            }
            let unit = parts.count == 3 ? parts[2] : "cases"
            guard Identifier.isValid(unit) else { throw ValidationError("--service '\(entry)': the unit must be a word such as cases, places, seats") }
            offers[category] = .init(capacity: capacity, unit: unit)
        }
        return offers
    }

    /// The desk's policy; nil with `--no-desk`.
    func policy(defaultService: ServiceCategory? = nil) throws -> ProviderPolicy? {
        guard !noDesk else { return nil }
        var offers = try offers()
        if offers.isEmpty, let defaultService { offers[defaultService] = .init(capacity: 10) }
        return ProviderPolicy(
            offers: offers,
            acknowledgeDelay: ackDelay,
            decideDelay: decideDelay,
            serviceTime: serviceTime,
            acceptProbability: accept,
            failureProbability: fail,
            takesOpenReferrals: !noOpenReferrals,
            serviceStatusInterval: statusInterval,
            isUnresponsive: unresponsive
        )
    }
}

/// What a referrer refers and when (IOM, communes).
struct ReferrerOptions: ParsableArguments {
    @Option(help: "Where a category goes, as CATEGORY=AGENCY (repeatable); a category without a route is referred openly.")
    var route: [String] = []

    @Option(name: .customLong("case"), help: "A case to open, as NEED[@AGENCY][,NEED[@AGENCY]…] (repeatable), e.g. health@health-delegation-agadir,legal.")
    var cases: [String] = []

    @Option(help: "Seconds between two cases (the first opens at start).")
    var caseInterval: Double = 1

    @Option(help: "Also open this many cases with needs drawn from --needs.")
    var randomCases = 0

    @Option(help: "Needs to draw random cases from, comma-separated.")
    var needs = "health,legal,education,employment,social-assistance,mhpss,shelter,language"

    @Option(help: "routine, urgent, asap or stat.")
    var priority = "routine"

    @Option(help: "Seconds until acknowledgement is due (default: the priority's).")
    var acknowledgeWithin: Double?

    @Option(help: "Seconds until a decision is due (default: the priority's).")
    var decideWithin: Double?

    @Option(help: "A case at a set time, as SECONDS:PRIORITY:NEED[@AGENCY][,NEED[@AGENCY]…] (repeatable), e.g. 21600:urgent:health@health-delegation-agadir,legal; SECONDS count from --cases-from.")
    var plannedCase: [String] = []

    @Option(help: "The agent-clock time that --planned-case times count from, as Unix seconds or ISO 8601 (default: when the agent is ready); a case already due opens at once.")
    var casesFrom: String?

    @Option(help: "The number of the first case opened, in case references (an agent restarted mid-run continues its numbering).")
    var firstCaseNumber = 1

    func validate() throws {
        _ = try policy(seed: 1)
    }

    func policy(seed: UInt64) throws -> ReferrerPolicy {
        guard let priority = Priority(rawValue: priority) else {
            throw ValidationError("unknown priority '\(self.priority)'; use routine, urgent, asap or stat")
        }
        func category(_ text: some StringProtocol, in flag: String) throws -> ServiceCategory {
            let category = ServiceCategory(rawValue: String(text))
            guard category.isKnown else {
                throw ValidationError("\(flag): unknown category '\(text)'")
            }
            return category
        }
        var routes: [ServiceCategory: String] = [:]
        for entry in route {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, Identifier.isValid(String(parts[1])) else {
                throw ValidationError("--route '\(entry)': expected CATEGORY=AGENCY")
            }
            routes[try category(parts[0], in: "--route '\(entry)'")] = String(parts[1])
        }
        var planned: [PlannedCase] = []
        for (index, entry) in cases.enumerated() {
            var needs: [ServiceCategory] = []
            var receivers: [ServiceCategory: String] = [:]
            for item in entry.split(separator: ",") {
                let parts = item.split(separator: "@", maxSplits: 1)
                let need = try category(parts[0], in: "--case '\(entry)'")
                needs.append(need)
                if parts.count == 2 { receivers[need] = String(parts[1]) }
            }
            guard !needs.isEmpty else { throw ValidationError("--case '\(entry)' names no need") }
            planned.append(PlannedCase(at: Double(index) * caseInterval, needs: needs, priority: priority, receivers: receivers))
        }
        let pool = try needs.split(separator: ",").map { try category($0, in: "--needs") }
        if randomCases > 0 {
            guard !pool.isEmpty else { throw ValidationError("--needs is empty") }
            var random = SeededGenerator(seed: seed, stream: "cases")
            for index in 0..<randomCases {
                let count = 1 + random.index(below: min(2, pool.count))
                var shuffled = pool
                for last in stride(from: shuffled.count - 1, to: 0, by: -1) {
                    shuffled.swapAt(last, random.index(below: last + 1))
                }
                let needs = Array(shuffled.prefix(count))
                planned.append(PlannedCase(at: Double(cases.count + index) * caseInterval, needs: needs, priority: priority))
            }
        }
        for entry in plannedCase {
            let parts = entry.split(separator: ":", maxSplits: 2).map(String.init)
            guard parts.count == 3, let at = Double(parts[0]), at >= 0, at.isFinite else {
                throw ValidationError("--planned-case '\(entry)': expected SECONDS:PRIORITY:NEED[@AGENCY][,NEED[@AGENCY]…]")
            }
            guard let casePriority = Priority(rawValue: parts[1]) else {
                throw ValidationError("--planned-case '\(entry)': unknown priority '\(parts[1])'; use routine, urgent, asap or stat")
            }
            var needs: [ServiceCategory] = []
            var receivers: [ServiceCategory: String] = [:]
            for item in parts[2].split(separator: ",") {
                let pieces = item.split(separator: "@", maxSplits: 1)
                let need = try category(pieces[0], in: "--planned-case '\(entry)'")
                needs.append(need)
                if pieces.count == 2 { receivers[need] = String(pieces[1]) }
            }
            guard !needs.isEmpty else { throw ValidationError("--planned-case '\(entry)' names no need") }
            planned.append(PlannedCase(at: at, needs: needs, priority: casePriority, receivers: receivers))
        }
        guard firstCaseNumber >= 1 else { throw ValidationError("--first-case-number must be at least 1") }
        let from = try casesFrom.map { text in
            guard let date = ClockTime.parse(text) else {
                throw ValidationError("--cases-from '\(text)': expected Unix seconds or an ISO 8601 time")
            }
            return date
        }
        return ReferrerPolicy(
            routes: routes, cases: planned, acknowledgeWithin: acknowledgeWithin, decideWithin: decideWithin,
            casesFrom: from, firstCaseNumber: firstCaseNumber)
    }
}
