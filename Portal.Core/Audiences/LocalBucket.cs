using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Audiences;

/// <summary>
/// The embedded bucket: a folder. Writes go to a temporary file in the same folder and are then renamed over the
/// target, which is atomic on one file system. They are durable too: the temporary file is flushed to disk before the
/// rename, and the folder (the rename itself) after it, so a power cut leaves the old object or the whole new one.
/// Paths are relative, with '/' separators, and may not leave the folder.
/// </summary>
public sealed class LocalBucket : IBucket
{
    private readonly string _root;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public LocalBucket(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public string Root => _root;

    public static string VersionOf(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public async IAsyncEnumerable<BucketItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var folder = Resolve(prefix.TrimEnd('/'));
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(file);
            if (name.StartsWith('.'))
            {
                continue; // temporary files of writes in progress
            }

            var info = new FileInfo(file);
            yield return new BucketItem($"{prefix.TrimEnd('/')}/{name}", info.Length, info.LastWriteTimeUtc);
            await Task.CompletedTask;
        }
    }

    public async IAsyncEnumerable<BucketItem> ListAllAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var folder = Resolve(prefix.TrimEnd('/'));
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        var items = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(file => !Path.GetFileName(file).StartsWith('.'))
            .Select(file => (Path: Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/'), File: file))
            .OrderBy(x => x.Path, StringComparer.Ordinal);
        foreach (var (path, file) in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = new FileInfo(file);
            if (info.Exists)
            {
                yield return new BucketItem(path, info.Length, info.LastWriteTimeUtc);
            }

            await Task.CompletedTask;
        }
    }

    public Task<BucketItem?> InfoAsync(string path, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(Resolve(path));
        return Task.FromResult(info.Exists ? new BucketItem(path, info.Length, info.LastWriteTimeUtc) : null);
    }

    public async Task<BucketText?> ReadTextAsync(string path, CancellationToken cancellationToken = default)
    {
        var file = Resolve(path);
        if (!File.Exists(file))
        {
            return null;
        }

        var text = await File.ReadAllTextAsync(file, Encoding.UTF8, cancellationToken);
        return new BucketText(path, text, VersionOf(text));
    }

    public async Task<BucketText?> ReadTextAsync(string path, long maxBytes, CancellationToken cancellationToken = default)
    {
        var file = Resolve(path);
        if (!File.Exists(file))
        {
            return null;
        }

        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        if (stream.Length > maxBytes)
        {
            throw new BucketObjectTooLargeException(path, stream.Length, maxBytes);
        }

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(cancellationToken);
        return new BucketText(path, text, VersionOf(text));
    }

    public async Task<string> WriteTextAsync(string path, string text, string? expectedVersion, CancellationToken cancellationToken = default)
    {
        var file = Resolve(path);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            if (expectedVersion is not null)
            {
                var current = File.Exists(file) ? VersionOf(await File.ReadAllTextAsync(file, Encoding.UTF8, cancellationToken)) : "(none)---";
                if (!string.Equals(current, expectedVersion, StringComparison.Ordinal))
                {
                    throw new BucketConflictException(path, expectedVersion, current);
                }
            }

            await WriteAtomicallyAsync(file, (stream, ct) => stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct).AsTask(), cancellationToken);
            return VersionOf(text);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task<string?> CreateTextAsync(string path, string text, CancellationToken cancellationToken = default)
    {
        var created = await WriteAtomicallyAsync(Resolve(path), (stream, ct) => stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct).AsTask(),
            cancellationToken, overwrite: false);
        return created ? VersionOf(text) : null;
    }

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) => Task.FromResult(File.Exists(Resolve(path)));

    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default) =>
        Task.FromResult<Stream>(new FileStream(Resolve(path), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true));

    public Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default) =>
        WriteAtomicallyAsync(Resolve(path), write, cancellationToken);

    /// <summary>Deletes the object; one that is not there (nor its folder) is nothing to delete.</summary>
    public Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        var file = Resolve(path);
        if (File.Exists(file))
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Writes to a temporary file beside <paramref name="file"/>, flushes it to disk, renames it to the file and flushes
    /// the folder. Without <paramref name="overwrite"/> the move fails when the file exists, atomically
    /// (<see cref="FileSystemCalls.MoveNoReplace"/>), and false is returned with nothing changed.
    /// </summary>
    private async Task<bool> WriteAtomicallyAsync(string file, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken,
        bool overwrite = true)
    {
        var folder = Path.GetDirectoryName(file)!;
        CreateFolderDurably(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(file)}.{Guid.NewGuid():N}.tmp");
        try
        {
            // Read/write: Parquet appends row groups by reading back the footer it wrote.
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true))
            {
                await write(new WritebackStream(stream), cancellationToken);
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            if (overwrite)
            {
                File.Move(temp, file, overwrite: true);
            }
            else if (!FileSystemCalls.MoveNoReplace(temp, file))
            {
                return false;
            }

            FileSystemCalls.FlushFolder(folder);
            return true;
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Creates a folder and any missing parents, flushing each new one's entry in its parent to disk.</summary>
    private void CreateFolderDurably(string folder)
    {
        if (Directory.Exists(folder))
        {
            return;
        }

        var created = new Stack<string>();
        for (var missing = folder; !Directory.Exists(missing) && missing.Length > _root.Length; missing = Path.GetDirectoryName(missing)!)
        {
            created.Push(missing);
        }

        Directory.CreateDirectory(folder);
        foreach (var made in created)
        {
            FileSystemCalls.FlushFolder(Path.GetDirectoryName(made)!);
        }
    }

    private string Resolve(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\\', StringComparison.Ordinal) || Path.IsPathRooted(path))
        {
            throw new ArgumentException($"'{path}' is not a relative bucket path.", nameof(path));
        }

        var full = Path.GetFullPath(Path.Combine(_root, path));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && full != _root)
        {
            throw new ArgumentException($"'{path}' leaves the bucket.", nameof(path));
        }

        return full;
    }
}
