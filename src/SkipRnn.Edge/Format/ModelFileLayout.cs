namespace SkipRnn.Edge.Format
{
    /// <summary>Constants of the model file (docs/model-format.md), shared by the reader and the writer.</summary>
    public static class ModelFileLayout
    {
        /// <summary>"SKRN" read as a little-endian uint32.</summary>
        public const uint Magic = 0x4E524B53;
        /// <summary>The format version this code reads and writes.</summary>
        public const int Version = 1;
        /// <summary>Bytes before the payload: magic, version, reserved, payload length, CRC-32.</summary>
        public const int HeaderSize = 16;
        /// <summary>Flag bit: class names follow the head.</summary>
        public const int FlagClassNames = 1;
        /// <summary>Flag bit: self-test vectors close the payload.</summary>
        public const int FlagSelfTest = 2;
        /// <summary>Flag bit: the streaming event-rule section follows the self-test vectors (Streaming/EventRule.cs).</summary>
        public const int FlagEventRule = 4;
        /// <summary>Flag bit: the audio front-end section follows the event rule (Audio/FrontEndSpec.cs).</summary>
        public const int FlagFrontEnd = 8;
        /// <summary>Largest self-test length in steps.</summary>
        public const int MaxSelfTestSteps = 4096;
    }
}
