using LettaSockets.Bench;

return await BenchProgram.MainAsync(args).ConfigureAwait(false);
