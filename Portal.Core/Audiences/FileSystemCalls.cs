using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Portal.Core.Audiences;

/// <summary>
/// The file-system calls the local bucket needs beyond .NET's: flushing a folder's entries to disk, a move that never
/// replaces a file, and starting a file's write-back early. On Unix they are the C library's <c>fsync</c> on the folder and <c>link</c>;
/// .NET's <see cref="File.Move(string, string, bool)"/> without overwrite checks that the target is absent and then
/// renames, so two of them at once can both "succeed", the second replacing the first.
/// </summary>
internal static partial class FileSystemCalls
{
    private const int ReadOnly = 0; // O_RDONLY, the same on every Unix
    private const int InvalidArgument = 22; // EINVAL, the same on Linux and macOS: the file system cannot flush a folder
    private const int FileExists = 17; // EEXIST, the same on Linux and macOS

    /// <summary>
    /// Flushes a folder's entries to disk, so that a file renamed into it (or a folder made in it) is still there after
    /// a power cut. On Windows nothing is done: NTFS journals the rename, and a folder cannot be opened for flushing.
    /// </summary>
    /// <exception cref="IOException">The folder could not be opened or flushed.</exception>
    public static void FlushFolder(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Could not open the folder {directory} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0 && Marshal.GetLastPInvokeError() is var error and not InvalidArgument)
            {
                throw new IOException($"Could not flush the folder {directory} to disk (errno {error}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Moves <paramref name="source"/> to <paramref name="destination"/> unless a file is there, in one step: of two
    /// moves to one destination at once, one wins and the other returns false with its source left as it was. On a
    /// Unix file system without hard links, falls back to .NET's check-then-rename.
    /// </summary>
    public static bool MoveNoReplace(string source, string destination)
    {
        if (!OperatingSystem.IsWindows())
        {
            if (Link(source, destination) == 0)
            {
                File.Delete(source);
                return true;
            }

            if (Marshal.GetLastPInvokeError() == FileExists)
            {
                return false;
            }
        }

        try
        {
            File.Move(source, destination, overwrite: false); // on Windows a move without replace, which is atomic
            return true;
        }
        catch (IOException) when (File.Exists(destination))
        {
            return false;
        }
    }

    /// <summary>
    /// Asks Linux to start writing a range of a file to disk now, without waiting for it (<c>sync_file_range</c> with
    /// <c>SYNC_FILE_RANGE_WRITE</c>), so that a flush of a large file at its end waits for its last part only. A hint:
    /// its errors are ignored, and elsewhere nothing is done.
    /// </summary>
    public static void StartWriteback(SafeFileHandle file, long offset, long count)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            _ = SyncFileRange((int)file.DangerousGetHandle(), offset, count, StartWrite);
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    private const uint StartWrite = 2; // SYNC_FILE_RANGE_WRITE

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(int fd, long offset, long count, uint flags);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);
}
