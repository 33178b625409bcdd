namespace SkipRnn.Keyword.Board
{
    /// <summary>The wiring of an INMP441 I2S microphone to an ESP32 DevKit (README.md). Change here if your board differs.</summary>
    public static class Pins
    {
        /// <summary>I2S1 bit clock to the INMP441's SCK.</summary>
        public const int BitClock = 14;
        /// <summary>I2S1 word select to the INMP441's WS.</summary>
        public const int WordSelect = 15;
        /// <summary>I2S1 data in from the INMP441's SD.</summary>
        public const int DataIn = 32;
    }
}
