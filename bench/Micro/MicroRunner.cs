using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using LettaSockets.Bench.Harness;
using LettaSockets.Bench.Report;

namespace LettaSockets.Bench.Micro;

/// <summary>
/// Runs <see cref="HotPathBenchmarks"/> with BenchmarkDotNet in this process (in-process toolchain: no
/// generated project is built, so the shared obj/ folders are never touched).
/// </summary>
internal static class MicroRunner
{
    public static MicroSection Run(BenchOptions options)
    {
        Job job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(options.Quick ? 2 : 4)
            .WithIterationCount(options.Quick ? 3 : 10);
        IConfig config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(NullLogger.Instance)
            .WithArtifactsPath(Path.Combine(options.ArtifactsPath, "BenchmarkDotNet.Artifacts"));
        Summary summary = BenchmarkRunner.Run<HotPathBenchmarks>(config);
        MarkdownExporter.Console.ExportToLog(summary, ConsoleLogger.Default);

        var section = new MicroSection { MeasuredAt = DateTimeOffset.UtcNow };
        foreach (BenchmarkReport report in summary.Reports)
        {
            if (report.ResultStatistics is null)
            {
                throw new InvalidOperationException($"Micro-benchmark {report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo} failed.");
            }

            section.Benchmarks.Add(new MicroResult(
                report.BenchmarkCase.Descriptor.WorkloadMethod.Name,
                report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\''),
                report.ResultStatistics.Median,
                report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0,
                1));
        }

        return section;
    }
}
