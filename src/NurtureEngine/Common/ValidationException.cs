namespace NurtureEngine.Common;

/// <summary>Input that breaks a rule (422), naming each bad field. Nothing has been changed.</summary>
public sealed class ValidationException(IDictionary<string, string[]> errors)
    : Exception(string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")))
{
    public IDictionary<string, string[]> Errors { get; } = errors;

    public ValidationException(string field, string error) : this(new Dictionary<string, string[]> { [field] = [error] }) { }
}

/// <summary>An unknown id or key (404).</summary>
public sealed class NotFoundException(string what) : Exception($"{what} was not found.");

/// <summary>A request that conflicts with the current state (409).</summary>
public sealed class ConflictException(string message) : Exception(message);

/// <summary>Collects field errors and throws them all at once.</summary>
public sealed class Errors
{
    private readonly Dictionary<string, List<string>> _errors = new();

    public void Add(string field, string error)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(error);
    }

    public bool Any => _errors.Count > 0;

    public void ThrowIfAny()
    {
        if (Any) throw new ValidationException(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
    }
}
