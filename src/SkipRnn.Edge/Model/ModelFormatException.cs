using System;

namespace SkipRnn.Edge.Model
{
    /// <summary>
    /// The one exception a model file or an inconsistent model raises. <see cref="Field"/> names the
    /// offending field (as in docs/model-format.md); the message says what is wrong with it.
    /// </summary>
    public class ModelFormatException : Exception
    {
        /// <summary>The field of the model file or model that is wrong.</summary>
        public string Field { get; private set; }

        /// <summary>Creates the exception for <paramref name="field"/>.</summary>
        public ModelFormatException(string field, string problem)
            : base("Invalid model: " + field + ": " + problem)
        {
            Field = field;
        }
    }
}
