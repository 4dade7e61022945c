import Foundation
import Testing
@testable import TansiqMessages

/// The auditor's probes of issue 13: each is refused with its reason, by the encoder (an agent,
/// `tansiq pub`) and by the decoder (a hub validating bodies), and no error quotes the value.
@Suite struct PrivacyRulesTests {
    /// Every value the probes put on the bus; none may appear in an error.
    static let probeValues = [
        "FATIMA-ZAHRA-AMRANI", "Fatima", "Amrani", "0612345678", "JB123456", "Mohammadi", "HIV",
        "hiv-positive", "fatima-amrani-0612345678", "fatima-amrani", "born-1990-conakry",
    ]

    static func golden(_ name: String, _ payload: Payload) -> Envelope {
        var envelope = try! Fixtures.goldenMessages().first { $0.name == name }!.envelope
        envelope.payload = payload
        return envelope
    }

    static func referral(_ edit: (inout Referral) -> Void) -> Envelope {
        var referral = Fixtures.referral
        edit(&referral)
        return golden("referral", .referral(referral))
    }

    /// Encoding refuses (`code`, key path), and so does decoding the same frames written by hand.
    static func expectRefused(
        _ envelope: Envelope, _ code: ProtocolError.Code, at keyPath: String, rules: PrivacyRules = .standard,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> ProtocolError? {
        var encodeError: ProtocolError?
        do { _ = try MessageCodec.encode(envelope, rules: rules) } catch { encodeError = error }
        #expect(encodeError?.code == code, sourceLocation: sourceLocation)
        #expect(encodeError?.keyPath == keyPath, sourceLocation: sourceLocation)
        // What a client that skipped the check would send.
        let frames = [envelope.topic.bytes, try! envelope.header.wireValue().serialized, try! envelope.payload.object.wireValue(at: "body").serialized]
        var decodeError: ProtocolError?
        do { _ = try MessageCodec.decode(frames, rules: rules) } catch { decodeError = error }
        #expect(decodeError == encodeError, sourceLocation: sourceLocation)
        for value in probeValues {
            #expect(!(encodeError?.description.contains(value) ?? false), "the error quotes \(value)", sourceLocation: sourceLocation)
        }
        return encodeError
    }

    @Test func aCaseReferenceSpelledAsANameIsRefused() {
        let error = Self.expectRefused(Self.referral { $0.caseReference = "FATIMA-ZAHRA-AMRANI" }, .personalData, at: "body.caseReference")
        #expect(error?.message.contains("pseudonymous code") == true)
        #expect(error?.message.contains("privacy.case_reference_pattern") == true)
        for accepted in ["AGA-2026-0042", "C2166136261-00007", "BCH-3", "0042"] {
            #expect(CaseReferenceRule.standard.accepts(accepted), "\(accepted)")
        }
        for refused in ["FATIMA-ZAHRA-AMRANI", "AMRANI", "FATIMA-1990", "ABCD-1234", "AGA-AMRANI-1"] {
            #expect(!CaseReferenceRule.standard.accepts(refused), "\(refused)")
        }
    }

    @Test func aDeploymentSetsItsOwnCaseReferencePattern() throws {
        let rules = PrivacyRules(caseReferences: try CaseReferenceRule(pattern: "IOM-[0-9]{6}"))
        #expect(rules.caseReferences.accepts("IOM-004217"))
        #expect(!rules.caseReferences.accepts("AGA-2026-0042"))
        _ = Self.expectRefused(Self.referral { $0.caseReference = "AGA-2026-0042" }, .personalData, at: "body.caseReference", rules: rules)
        #expect(throws: ProtocolError.self) { try CaseReferenceRule(pattern: "([") }
    }

    @Test(arguments: [
        ("Fatima Zahra Amrani, tel 0612345678, Hay Mohammadi, CIN JB123456, HIV+", FreeTextScreen.Finding.nationalIdentityCard),
        ("call 06 12 34 56 78", .phoneNumber),
        ("joignable au +212 6 12-34-56-78", .phoneNumber),
        ("WhatsApp 00224 621 12 34 56", .phoneNumber),
        ("écrire à fatima.amrani@example.ma", .emailAddress),
        ("CIN: JB123456", .nationalIdentityCard),
        ("passeport AB1234567", .passportNumber),
        ("IBAN MA64 0111 1000 0012 3456 7890 1234", .iban),
        ("née le 12/03/1990 à Conakry", .birthDate),
        ("born 1990-03-12", .birthDate),
        ("born in 1990", .birthDate),
        ("رقم الهاتف ٠٦١٢٣٤٥٦٧٨", .phoneNumber),
        ("dossier 123456789012", .longNumber),
    ])
    func aNoteWithPersonalDataIsRefused(note: String, finding: FreeTextScreen.Finding) {
        #expect(FreeTextScreen.finding(in: note, birthYearBefore: 2025) == finding, "\(note)")
        let error = Self.expectRefused(Self.referral { $0.note = note }, .personalData, at: "body.note")
        #expect(error?.message.contains("the note holds") == true)
        var update = Fixtures.accepted
        update.note = note
        _ = Self.expectRefused(Self.golden("referral-status", .referralStatus(update)), .personalData, at: "body.note")
    }

    @Test(arguments: [
        "Prefers a female doctor; speaks Wolof and some French.",
        "Appointment at the Anza health centre.",
        "Darija classes Monday and Thursday evenings.",
        "Rendez-vous le 03/12/2026 à 10h30, salle 2.",
        "Seen 2026-11-29; follow-up in 2 weeks, 3 children.",
        "Bus 32 to Hay Mohammadi centre, room 12.",
        "Sibling referred under AGA-2026-0042; 1 500 MAD voucher.",
    ])
    func anOrdinaryNoteIsAccepted(note: String) throws {
        #expect(FreeTextScreen.finding(in: note, birthYearBefore: 2025) == nil, "\(note)")
        _ = try MessageCodec.encode(Self.referral { $0.note = note }, rules: PrivacyRules(birthYearBefore: 2025))
    }

    @Test func aHubMayRefuseNotesAltogether() {
        let rules = PrivacyRules(notes: .refused)
        let error = Self.expectRefused(Self.referral { $0.note = "Appointment at the Anza health centre." }, .personalData, at: "body.note", rules: rules)
        #expect(error?.message.contains("privacy.notes") == true)
    }

    @Test func aWorkerIdMustBeARoleId() {
        let error = Self.expectRefused(Self.referral { $0.referringWorker = "fatima-amrani" }, .personalData, at: "body.referringWorker")
        #expect(error?.message.contains("privacy.vocabulary.worker_roles") == true)
        _ = Self.expectRefused(Self.referral { $0.consent.recordedBy = "fatima-amrani" }, .personalData, at: "body.consent.recordedBy")
        for accepted in ["caseworker-3", "social-worker-12", "nurse", "focal-point-2"] {
            #expect((try? PrivacyRules.standard.checkWorker(accepted, at: "w")) != nil, "\(accepted)")
        }
    }

    @Test func aCodeOutsideTheVocabularyNamesTheKeyThatAddsIt() throws {
        let reason = Self.expectRefused(
            Self.referral { $0.reasonCodes = [.maternalCare, .init(rawValue: "hiv-positive")] }, .unknownCode, at: "body.reasonCodes[1]")
        #expect(reason?.message.contains("privacy.vocabulary.reason_codes") == true)
        _ = Self.expectRefused(
            Self.referral { $0.reasonCodes = [.init(rawValue: "fatima-amrani-0612345678")] }, .unknownCode, at: "body.reasonCodes[0]")
        let flag = Self.expectRefused(
            Self.referral { $0.subject?.needsFlags = [.init(rawValue: "born-1990-conakry")] }, .unknownCode, at: "body.subject.needsFlags[0]")
        #expect(flag?.message.contains("privacy.vocabulary.needs_flags") == true)
        var completed = Fixtures.completed
        completed.outcome?.code = .init(rawValue: "fatima-amrani")
        _ = Self.expectRefused(Self.golden("referral-status-completed", .referralStatus(completed)), .unknownCode, at: "body.outcome.code")

        let deployment = PrivacyRules(vocabulary: try Vocabulary(adding: [.reasonCodes: ["dental-care"], .workerRoles: ["animatrice"]]))
        _ = try MessageCodec.encode(Self.referral { $0.reasonCodes = [.init(rawValue: "dental-care")]; $0.referringWorker = "animatrice-2" }, rules: deployment)
        #expect(throws: ProtocolError.self) { try Vocabulary(adding: [.reasonCodes: ["Not An Identifier"]]) }
    }

    /// A vocabulary looks codes up by their bytes while a list is short and by its set once a
    /// deployment makes one long; either way it answers as the set of codes does.
    @Test(arguments: [0, 5, 40])
    func theVocabularyAnswersAsItsSetOfCodesWhateverItsSize(added: Int) throws {
        // Codes of one length, so that 40 of them take the set's path.
        let additions = (0..<added).map { "local-\(String(format: "%03d", $0))" }
        let vocabulary = try Vocabulary(adding: [.reasonCodes: additions, .workerRoles: additions])
        let probes = additions + Referral.ReasonCode.knownValues.map(\.rawValue) + Vocabulary.protocolWorkerRoles
            + ["local-999", "local-00", "local-0000", "Local-001", "maternal-car", "maternal-cares", "", "nurse", "nurses", "caseworker"]
        for list in [Vocabulary.List.reasonCodes, .workerRoles] {
            let expected = Set(vocabulary.codes(of: list))
            for probe in probes {
                #expect(vocabulary.contains(probe, in: list) == expected.contains(probe), "\(list) \(probe)")
                let viaBytes = Array(probe.utf8).withUnsafeBufferPointer { vocabulary.contains(bytes: $0, in: list) }
                #expect(viaBytes == expected.contains(probe), "\(list) \(probe) as bytes")
            }
        }
        let rules = PrivacyRules(vocabulary: vocabulary)
        for worker in additions.prefix(3).map({ $0 + "-7" }) + ["caseworker-3", "nurse"] {
            #expect((try? rules.checkWorker(worker, at: "w")) != nil, "\(worker)")
        }
        for worker in ["local-", "caseworker-", "-3", "caseworker-3a", "fatima-amrani-3"] {
            #expect((try? rules.checkWorker(worker, at: "w")) == nil, "\(worker)")
        }
    }

    @Test(arguments: [
        "nom", "prenom", "prénom", "Nom_Famille", "adresse", "nationalite", "nationalité", "diagnostic", "telephone", "téléphone",
        "date_naissance", "lieuDeNaissance", "courriel", "nombre", "apellidos", "dirección", "teléfono", "fecha_nacimiento",
        "الاسم", "الاسم_الكامل", "العنوان", "الهاتف", "تاريخ_الميلاد", "الجنسية", "رقم_جواز_السفر",
    ])
    func aPersonalKeyInFrenchSpanishOrArabicIsRefused(key: String) throws {
        #expect(PersonalData.looksPersonal(key), "\(key)")
        // Even in a message of a newer minor version, whose unknown keys are otherwise let through.
        let frames = try CodecErrorTests.newerMinor(try CodecErrorTests.editing(2) { $0[key] = .string("x") })
        _ = CodecErrorTests.expectError(frames, .personalData, at: "body.\(key)")
    }

    @Test(arguments: ["economy", "nominal", "reasonCodes", "agency", "version", "phonetic-class"])
    func anOrdinaryKeyIsNotTakenForPersonalData(key: String) {
        #expect(!PersonalData.looksPersonal(key) || key == "phonetic-class", "\(key)")
    }

    @Test func errorsNeverQuoteTheRefusedValue() throws {
        // Syntax errors on values that carry personal data, in every kind of field.
        let cases: [[[UInt8]]] = [
            try CodecErrorTests.editing(2) { $0["caseReference"] = .string("fatima amrani") },
            try CodecErrorTests.editing(2) { $0["priority"] = .string("Fatima") },
            try CodecErrorTests.editing(2) { $0["referralId"] = .string("Fatima-Amrani") },
            try CodecErrorTests.editing(2) { $0["acknowledgeBy"] = .string("Amrani 0612345678") },
            try CodecErrorTests.editing(2) { $0["referringAgency"] = .string("Fatima Amrani") },
            try CodecErrorTests.editing(1) { $0["agent"] = .string("Fatima Amrani") },
            try CodecErrorTests.editing(1) { $0["specversion"] = .string("Amrani") },
        ]
        for frames in cases {
            do {
                _ = try MessageCodec.decode(frames)
                Issue.record("accepted")
            } catch {
                for value in Self.probeValues + ["fatima", "amrani"] {
                    #expect(!error.description.contains(value), "\(error)")
                }
            }
        }
    }

    /// The note screen's first pass reads eight bytes at a time: a digit, an '@' or a non-ASCII
    /// character at any offset of a note of any length sends it to the full screen.
    @Test func theNoteScreenSeesASuspectByteAnywhere() {
        for length in 0..<24 {
            #expect(!FreeTextScreen.mayHoldFinding(String(repeating: "n", count: length)))
            for offset in 0...length {
                for suspect in ["0", "9", "@", "é", "٣", "\u{FF10}"] {
                    var note = String(repeating: "n", count: length)
                    note.insert(contentsOf: suspect, at: note.index(note.startIndex, offsetBy: offset))
                    #expect(FreeTextScreen.mayHoldFinding(note), "\(note)")
                }
                // Bytes beside the suspect ones ('/', ':', '?', 'A', a control character) are not.
                for innocent in ["/", ":", "?", "A", "\u{7F}", "\u{1}"] {
                    var note = String(repeating: "n", count: length)
                    note.insert(contentsOf: innocent, at: note.index(note.startIndex, offsetBy: offset))
                    #expect(!FreeTextScreen.mayHoldFinding(note), "\(note)")
                }
            }
        }
    }
}
