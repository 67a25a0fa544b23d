using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace Portal.Core.Adtech.Sandbox;

/// <summary>
/// What the sandbox checks in a request body, read as it streams in (no document of the whole body is built): the body
/// must be well-formed JSON and an object; of its properties and those of its objects (paths <c>name</c>,
/// <c>payload.data</c>), each value's kind, a text's value, and an array's element count are kept.
/// </summary>
internal sealed class SandboxBody
{
    /// <summary>Property values are kept this deep (1: the body's own properties; 2: those of its objects).</summary>
    private const int KeptDepth = 2;

    private readonly Dictionary<string, Value> _values = new(StringComparer.Ordinal);

    private SandboxBody()
    {
    }

    public bool Has(string path) => _values.ContainsKey(path);

    /// <summary>The text at <paramref name="path"/>, or "" when it is missing or not a text.</summary>
    public string Text(string path) => _values.TryGetValue(path, out var value) && value.Kind == JsonTokenType.String ? value.Text! : "";

    /// <summary>The number at <paramref name="path"/> when it is one and an Int32.</summary>
    public int? Int32(string path) => _values.TryGetValue(path, out var value) && value.Kind == JsonTokenType.Number ? value.Integer : null;

    /// <summary>The number at <paramref name="path"/> as written (any size), or null when it is missing or not a number.</summary>
    public string? Number(string path) => _values.TryGetValue(path, out var value) && value.Kind == JsonTokenType.Number ? value.Text : null;

    /// <summary>The true or false at <paramref name="path"/>, or null when it is missing or not a boolean.</summary>
    public bool? Boolean(string path) => _values.TryGetValue(path, out var value) ? value.Kind switch { JsonTokenType.True => true, JsonTokenType.False => false, _ => null } : null;

    /// <summary>How many elements the array at <paramref name="path"/> has; null when it is missing or not an array.</summary>
    public int? ArrayLength(string path) => _values.TryGetValue(path, out var value) && value.Kind == JsonTokenType.StartArray ? value.Elements : null;

    /// <summary>Reads the body to its end; null and why when it is not JSON or not an object.</summary>
    public static async Task<(SandboxBody? Body, string? Error)> ReadAsync(PipeReader pipe, CancellationToken cancellationToken)
    {
        var scan = new Scan();
        var state = new JsonReaderState();
        while (true)
        {
            var read = await pipe.ReadAsync(cancellationToken);
            try
            {
                var consumed = scan.Feed(read.Buffer, read.IsCompleted, ref state);
                pipe.AdvanceTo(consumed, read.Buffer.End);
            }
            catch (JsonException ex)
            {
                pipe.AdvanceTo(read.Buffer.End);
                return (null, $"Body is not JSON: {ex.Message}");
            }

            if (read.IsCompleted)
            {
                return scan.RootIsObject ? (scan.Body, null) : (null, "Body must be a JSON object");
            }
        }
    }

    private record struct Value(JsonTokenType Kind, string? Text, int? Integer, int Elements);

    /// <summary>The reader's progress between chunks of the body.</summary>
    private sealed class Scan
    {
        private const int Tracked = KeptDepth + 1;

        // By depth: the property whose value comes next, the container opened there, and the path and element count of a
        // kept array opened there.
        private readonly string?[] _names = new string?[Tracked];
        private readonly JsonTokenType[] _containers = new JsonTokenType[Tracked];
        private readonly string?[] _arrays = new string?[Tracked];
        private readonly int[] _elements = new int[Tracked];

        public SandboxBody Body { get; } = new();

        public bool RootIsObject { get; private set; }

        /// <summary>Reads the tokens of a chunk; the position up to which it was consumed.</summary>
        public SequencePosition Feed(ReadOnlySequence<byte> chunk, bool final, ref JsonReaderState state)
        {
            var reader = new Utf8JsonReader(chunk, final, state);
            while (reader.Read())
            {
                var depth = reader.CurrentDepth;
                var token = reader.TokenType;
                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    if (depth < Tracked && _arrays[depth] is { } kept)
                    {
                        Body._values[kept] = Body._values[kept] with { Elements = _elements[depth] };
                        _arrays[depth] = null;
                    }

                    continue;
                }

                if (token == JsonTokenType.PropertyName)
                {
                    if (depth <= KeptDepth)
                    {
                        _names[depth] = reader.GetString();
                    }

                    continue;
                }

                if (depth == 0)
                {
                    RootIsObject = token == JsonTokenType.StartObject;
                }
                else if (depth <= Tracked && _containers[depth - 1] == JsonTokenType.StartArray)
                {
                    _elements[depth - 1]++;
                }
                else if (depth <= KeptDepth && Path(depth) is { } path)
                {
                    var text = token switch
                    {
                        JsonTokenType.String => reader.GetString(),
                        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
                        _ => null,
                    };
                    Body._values[path] = new Value(token, text,
                        token == JsonTokenType.Number && reader.TryGetInt32(out var number) ? number : null, 0);
                    _arrays[depth] = token == JsonTokenType.StartArray ? path : null;
                    _elements[depth] = 0;
                }

                if (depth < Tracked && token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    _containers[depth] = token;
                }
            }

            state = reader.CurrentState;
            return reader.Position;
        }

        /// <summary>The path of the property value at <paramref name="depth"/>, when every container above it is an object.</summary>
        private string? Path(int depth)
        {
            var path = _names[1];
            for (var d = 2; d <= depth; d++)
            {
                if (_containers[d - 1] != JsonTokenType.StartObject)
                {
                    return null;
                }

                path = $"{path}.{_names[d]}";
            }

            return path;
        }
    }
}
