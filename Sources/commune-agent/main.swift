import Foundation
import TansiqCLI

switch ConfigFileArguments.expand(Array(CommandLine.arguments.dropFirst())) {
case .success(let arguments):
    await CommandEntry.run(CommuneAgentCommand.self, arguments: arguments)
case .failure(let error):
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(64)
}
