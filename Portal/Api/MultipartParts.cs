using Microsoft.AspNetCore.WebUtilities;

namespace Portal.Api;

/// <summary>
/// Reads a multipart upload so that a malformed body is told apart from a server fault: the reader's refusals (more
/// than it allows before the first boundary or in a part's headers) and a part that ends without its closing boundary
/// become <see cref="MalformedException"/>, which the API answers with 400 saying what was wrong; a failing write of
/// the file to the bucket stays the server error it is. A client that went away is not a malformed body.
/// </summary>
internal static class MultipartParts
{
    public sealed class MalformedException(string message) : Exception(message);

    /// <summary>
    /// The reader's refusal, or a body that ended early; not the server's own refusal of a body over its size limit
    /// (<see cref="BadHttpRequestException"/>, an <see cref="IOException"/> too, answered 413 by the portal), nor a
    /// read the client cancelled by going away.
    /// </summary>
    private static bool IsMalformed(Exception ex, CancellationToken cancellationToken) =>
        ex is InvalidDataException or IOException and not BadHttpRequestException && !cancellationToken.IsCancellationRequested;

    /// <summary>The next section, or null after the last.</summary>
    public static async Task<MultipartSection?> NextAsync(MultipartReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadNextSectionAsync(cancellationToken);
        }
        catch (Exception ex) when (IsMalformed(ex, cancellationToken))
        {
            throw new MalformedException(ex is InvalidDataException ? $"The multipart body is malformed: {ex.Message}" : "The multipart body ends before its closing boundary.");
        }
    }

    /// <summary>A section's body, whose reading errors say which part was cut short or too long (<paramref name="part"/>: "the file part", "the form field 'x'").</summary>
    public static Stream Body(MultipartSection section, string part) => new SectionBody(section.Body, part);

    private sealed class SectionBody(Stream inner, string part) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception ex) when (IsMalformed(ex, cancellationToken))
            {
                throw new MalformedException(ex is InvalidDataException
                    ? $"The multipart body is malformed in {part}: {ex.Message}"
                    : $"The multipart body ends in {part}, before its closing boundary.");
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously.");

        public override void Flush()
        {
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
