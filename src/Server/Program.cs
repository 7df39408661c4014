using LettaSockets.Server.Hosting;

LettaSocketsApp.Build(args).Run();
