using System;
using System.Device.I2s;
using nanoFramework.Hardware.Esp32;
using SkipRnn.Edge.Application;

namespace SkipRnn.Keyword.Board
{
    /// <summary>
    /// I2S1 as the receive bus of an INMP441 MEMS microphone (<see cref="II2sReceiver"/>; the device's
    /// <see cref="I2sMicrophone"/> reads the samples through it): the ESP32 is bus master (SCK, WS) and the microphone's
    /// L/R pin is tied low, so it answers in the left slot with 24-bit data in a 32-bit slot. The microphone samples only
    /// while the bus clocks it: <see cref="Close"/> disposes the device, which stops the clock (the part then sleeps).
    /// The settings the driver gets (stereo frames, the DMA buffer size) are <see cref="I2sMicrophone"/>'s: why, with
    /// the driver sources, in firmware/README.md.
    /// </summary>
    public sealed class Inmp441Bus : II2sReceiver
    {
        private I2sDevice _i2s;

        /// <summary>Maps the I2S1 pins (<see cref="Pins"/>).</summary>
        public Inmp441Bus()
        {
            Configuration.SetPinFunction(Pins.BitClock, DeviceFunction.I2S1_BCK);
            Configuration.SetPinFunction(Pins.WordSelect, DeviceFunction.I2S1_WS);
            Configuration.SetPinFunction(Pins.DataIn, DeviceFunction.I2S1_MDATA_IN);
        }

        public void Open(int sampleRate, bool stereo, int bufferBytes)
        {
            // INMP441 datasheet: SCK 0.5..3.2 MHz; at 64 SCK per frame (two 32-bit slots) that is 7.8..50 kHz.
            if (sampleRate * 64 < 500000 || sampleRate * 64 > 3200000)
                throw new ArgumentException("sample rate " + sampleRate.ToString() + " Hz: the INMP441 takes SCK 0.5..3.2 MHz, 64 clocks a sample (7.8..50 kHz)");
            if (_i2s != null) return;
            var settings = new I2sConnectionSettings(1);
            settings.Mode = I2sMode.Master | I2sMode.Rx;
            settings.SampleRate = sampleRate;
            settings.BitsPerSample = I2sBitsPerSample.Bit32;
            settings.ChannelFormat = stereo ? I2sChannelFormat.RightLeft : I2sChannelFormat.OnlyLeft;
            settings.CommunicationFormat = I2sCommunicationFormat.I2S;
            settings.BufferSize = bufferBytes;
            _i2s = new I2sDevice(settings);
        }

        public void Close()
        {
            if (_i2s == null) return;
            _i2s.Dispose();
            _i2s = null;
        }

        public void Read(byte[] buffer, int offset, int count)
        {
            if (_i2s == null) throw new InvalidOperationException("the I2S bus is closed");
            _i2s.Read(new SpanByte(buffer, offset, count));     // blocks until the driver has count bytes
        }
    }
}
