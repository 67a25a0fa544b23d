using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Audiences;

/// <summary>
/// What can be checked without pulling the power: the folder flush runs (and fails loudly when it cannot open the
/// folder) where it is meant to, and is skipped on Windows; the move that never replaces refuses an existing target,
/// also when many race for one. That a flushed rename survives a power cut cannot be checked here.
/// </summary>
public sealed class FileSystemCallsTests : DatabaseTest
{
    [Fact]
    public void FlushFolder_AnExistingFolder_DoesNotThrow()
    {
        File.WriteAllText(Path.Combine(Folder.Path, "a.txt"), "a");
        FileSystemCalls.FlushFolder(Folder.Path);
    }

    [Fact]
    public void FlushFolder_AMissingFolder_ThrowsOnUnixAndIsSkippedOnWindows()
    {
        var missing = Path.Combine(Folder.Path, "not-there");
        if (OperatingSystem.IsWindows())
        {
            FileSystemCalls.FlushFolder(missing);
            return;
        }

        var ex = Assert.Throws<IOException>(() => FileSystemCalls.FlushFolder(missing));
        Assert.Contains("errno 2", ex.Message, StringComparison.Ordinal); // ENOENT: open(2) really ran
    }

    [Fact]
    public void MoveNoReplace_TargetExists_ReturnsFalseAndChangesNeither()
    {
        var source = Path.Combine(Folder.Path, "new.txt");
        var target = Path.Combine(Folder.Path, "taken.txt");
        File.WriteAllText(source, "new");
        File.WriteAllText(target, "taken");

        Assert.False(FileSystemCalls.MoveNoReplace(source, target));
        Assert.Equal(("new", "taken"), (File.ReadAllText(source), File.ReadAllText(target)));
    }

    [Fact]
    public async Task MoveNoReplace_ManyToOneFreeTarget_ExactlyOneMovesAndTheOthersKeepTheirSource()
    {
        // A check-then-rename loses this race now and then, not every time: many rounds make losing it show.
        const int writers = 16;
        for (var round = 0; round < 25; round++)
        {
            var target = Path.Combine(Folder.Path, $"target{round}.txt");
            var sources = Enumerable.Range(0, writers).Select(i => Path.Combine(Folder.Path, $"source{round}-{i}.txt")).ToList();
            for (var i = 0; i < writers; i++)
            {
                await File.WriteAllTextAsync(sources[i], $"writer {i}");
            }

            using var start = new Barrier(writers);
            var moved = await Task.WhenAll(sources.Select(s => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                return FileSystemCalls.MoveNoReplace(s, target);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));

            var winner = Assert.Single(Enumerable.Range(0, writers), i => moved[i]);
            Assert.Equal($"writer {winner}", await File.ReadAllTextAsync(target));
            Assert.All(sources.Where((_, i) => i != winner), s => Assert.True(File.Exists(s)));
        }
    }
}
