import TansiqCLI

await HubCommand.main()
