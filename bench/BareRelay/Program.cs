return await LettaSockets.BareRelay.Relay.RunAsync(args).ConfigureAwait(false);
