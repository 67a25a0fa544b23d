using System.Runtime.InteropServices;

namespace Portal.Core.Audiences;

/// <summary>
/// Flushes a folder's entries to disk, so that a file renamed into it (or a folder made in it) is still there after a
/// power cut: <c>fsync</c> on the folder, on Linux and macOS. On Windows nothing is done: NTFS journals the rename,
/// and a folder cannot be opened for flushing there.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0; // O_RDONLY, the same on every Unix
    private const int InvalidArgument = 22; // EINVAL, the same on Linux and macOS: the file system cannot flush a folder

    /// <exception cref="IOException">The folder could not be opened or flushed.</exception>
    public static void Flush(string directory)
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

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
