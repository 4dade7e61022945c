import Foundation
import Testing
import ZeroMQ

@Suite struct CurveCertificateTests {
    private func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("zcert-\(UUID().uuidString)-\(name)").path
    }

    @Test func secretAndPublicCertificatesRoundTripThroughFiles() throws {
        let pair = try CurveKeyPair.generate()
        let certificate = CurveCertificate(keyPair: pair, metadata: ["agency": "iom-agadir"])
        let secretPath = temporaryPath("iom.secret"), publicPath = temporaryPath("iom.key")
        defer { try? FileManager.default.removeItem(atPath: secretPath); try? FileManager.default.removeItem(atPath: publicPath) }
        try certificate.write(to: secretPath)
        try certificate.publicCertificate.write(to: publicPath)

        #expect(try CurveCertificate.load(contentsOf: secretPath) == certificate)
        #expect(try CurveCertificate.load(contentsOf: secretPath).keyPair() == pair)
        #expect(try CurveCertificate.load(contentsOf: publicPath) == CurveCertificate(publicKey: pair.publicKey, metadata: ["agency": "iom-agadir"]))
        let mode = try FileManager.default.attributesOfItem(atPath: secretPath)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let existing = #expect(throws: CurveCertificateError.self) { try certificate.write(to: secretPath) }
        #expect(existing?.code == .unwritable)
    }

    @Test func readsTheCertificatesPyzmqAndCZMQWrite() throws {
        let text = """
            #   ****  Generated on 2026-11-29 07:12:34.099101 by pyzmq  ****
            #   ZeroMQ CURVE **Secret** Certificate
            #   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.

            metadata
            curve
                public-key = "i4<5?42vdGwgwOlz3aLXPBZ@Z8a9#!i98sQ/hzbH"
                secret-key = "Z>f[c4X^txB&..(j>2dtvzNUt*IoV*u1Zd{}35tN"

            """
        let certificate = try CurveCertificate(text: text, file: "pyagency.key_secret")
        #expect(certificate.publicKey == "i4<5?42vdGwgwOlz3aLXPBZ@Z8a9#!i98sQ/hzbH")
        #expect(try certificate.keyPair().publicKey == certificate.publicKey)
        #expect(certificate.metadata.isEmpty)
    }

    @Test func refusesMalformedCertificatesNamingTheFileAndLine() throws {
        let pair = try CurveKeyPair.generate()
        let cases: [(String, String)] = [
            ("metadata\ncurve\n", "no 'public-key'"),
            ("curve\n    public-key = \"short\"\n", "not Z85 of 32 bytes"),
            ("curve\n    public-key\n", "k.key:2: expected 'name = \"value\"'"),
            ("curve\n    public-key = \"\(pair.publicKey)\"\n    secret-key = \"\(try CurveKeyPair.generate().secretKey)\"\n", "does not match"),
        ]
        for (text, expected) in cases {
            let error = #expect(throws: CurveCertificateError.self) { try CurveCertificate(text: text, file: "k.key") }
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "-")")
        }
    }

    @Test func fingerprintIsTheStartOfTheKeysSHA256() {
        // SHA-256 of 32 zero bytes starts 66687aadf862bd77.
        let zeroKey = Z85.encode([UInt8](repeating: 0, count: 32))!
        #expect(CurveCertificate.fingerprint(ofPublicKey: zeroKey) == "6668:7aad:f862:bd77")
    }
}

@Suite struct CurveKeyPairRedactionTests {
    @Test func printingAKeyPairNeverShowsItsSecretKey() throws {
        let pair = try CurveKeyPair.generate()
        var dumped = ""
        dump(pair, to: &dumped)
        for text in [String(describing: pair), String(reflecting: pair), "\(pair)", dumped] {
            #expect(text.contains(pair.publicKey))
            #expect(!text.contains(pair.secretKey))
        }
    }
}
