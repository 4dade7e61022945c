import ArgumentParser
import TansiqAgent
import TansiqMessages

/// How a provider answers referrals (services, associations, the municipal desk).
struct ProviderOptions: ParsableArguments {
    @Option(help: "A service offered, as CATEGORY or CATEGORY:CAPACITY (repeatable), e.g. health:20.")
    var service: [String] = []

    @Option(help: "Seconds from a referral's arrival to 'received'.")
    var ackDelay: Double = 1

    @Option(help: "Seconds from 'received' to 'accepted' or 'rejected'.")
    var decideDelay: Double = 2

    @Option(help: "Seconds from 'in-progress' to 'completed' or 'failed'.")
    var serviceTime: Double = 5

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

    func validate() throws {
        _ = try offers()
        for (name, value) in [("--accept", accept), ("--fail", fail)] where !(0...1).contains(value) {
            throw ValidationError("\(name) must be between 0 and 1, got \(value)")
        }
        for (name, value) in [("--ack-delay", ackDelay), ("--decide-delay", decideDelay), ("--service-time", serviceTime)] where value < 0 {
            throw ValidationError("\(name) must not be negative")
        }
        if statusInterval <= 0 { throw ValidationError("--status-interval must be positive") }
    }

    func offers() throws -> [ServiceCategory: ProviderPolicy.Offer] {
        var offers: [ServiceCategory: ProviderPolicy.Offer] = [:]
        for entry in service {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            let category = ServiceCategory(rawValue: parts[0])
            guard category.isKnown else {
                throw ValidationError("--service '\(entry)': unknown category '\(parts[0])'; use one of \(ServiceCategory.knownValues.map(\.rawValue).joined(separator: ", "))")
            }
            var capacity = 10
            if parts.count == 2 {
                guard let value = Int(parts[1]), value >= 0 else {
                    throw ValidationError("--service '\(entry)': capacity must be a whole number ≥ 0")
                }
                capacity = value
            }
            offers[category] = .init(capacity: capacity)
        }
        return offers
    }

    func policy(defaultService: ServiceCategory? = nil) throws -> ProviderPolicy {
        var offers = try offers()
        if offers.isEmpty, let defaultService { offers[defaultService] = .init(capacity: 10) }
        return ProviderPolicy(
            offers: offers,
            acknowledgeDelay: .fixed(ackDelay),
            decideDelay: .fixed(decideDelay),
            serviceTime: .fixed(serviceTime),
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
            var random = SeededRandom(seed: seed).derived("cases")
            for index in 0..<randomCases {
                let count = Int.random(in: 1...min(2, pool.count), using: &random)
                let needs = Array(pool.shuffled(using: &random).prefix(count))
                planned.append(PlannedCase(at: Double(cases.count + index) * caseInterval, needs: needs, priority: priority))
            }
        }
        return ReferrerPolicy(routes: routes, cases: planned, acknowledgeWithin: acknowledgeWithin, decideWithin: decideWithin)
    }
}
