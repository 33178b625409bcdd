using System;
using System.Device.I2c;
using SkipRnn.Edge.Application;

namespace SkipRnn.Motion.Board
{
    /// <summary>
    /// The MPU-6050 as an <see cref="IFifoSensor"/>: ±4 g, ±500 °/s, digital low-pass 21/20 Hz, 50 Hz sample rate,
    /// accelerometer and gyroscope (12 bytes per sample: ax ay az gx gy gz, big-endian int16, the order the model
    /// was trained on) into the part's 1024-byte FIFO = 85 whole samples. Register numbers and bits: InvenSense
    /// MPU-6000/MPU-6050 Register Map and Descriptions, rev. 4.2. No allocation after construction (but for a fault).
    /// <para>
    /// Bus errors: nanoFramework's ESP32 I2C driver (nf-interpreter a3e8139a1,
    /// targets/ESP32/_nanoCLR/System.Device.I2c/sys_dev_i2c_native_System_Device_I2c_I2cDevice.cpp) runs each
    /// transfer as one ESP-IDF command with a 1 s timeout; any failure comes back as SlaveAddressNotAcknowledged
    /// (ESP_FAIL) or ClockStretchTimeout (ESP_ERR_TIMEOUT) with 0 bytes transferred and the read buffer untouched, never
    /// as a partial transfer with a byte count. A failed register read or write changes nothing in the part (a write
    /// is retried whole), so it is reported as transient: the loop retries, and loses nothing while the FIFO has room.
    /// A failed FIFO_R_W read may have taken some bytes of the oldest packet out of the FIFO (the part pops a byte
    /// as it sends it; the driver does not say how many went): the next FIFO count tells, as it is then not a whole
    /// number of 12-byte packets; this layer reads and drops the rest of that packet (the FIFO is aligned again, that
    /// one sample is lost) and tells the loop (<see cref="SensorFaultException.OldestLost"/>). A count out of frame
    /// with no failed read to explain it is a fault that needs the FIFO reset (re-initialisation). Not detectable: a
    /// transfer that fails after its twelfth byte left the part (at the stop condition): the packet is gone but the
    /// count is whole, and the loop would take the next sample for it.
    /// </para>
    /// </summary>
    public sealed class Mpu6050Fifo : IFifoSensor
    {
        // Registers (register map rev. 4.2).
        private const byte SmplrtDiv = 0x19;      // sample rate = 1 kHz / (1 + SMPLRT_DIV) with the DLPF on
        private const byte Config = 0x1A;         // DLPF_CFG
        private const byte GyroConfig = 0x1B;     // FS_SEL in bits 4:3
        private const byte AccelConfig = 0x1C;    // AFS_SEL in bits 4:3
        private const byte FifoEn = 0x23;         // XG 0x40 | YG 0x20 | ZG 0x10 | ACCEL 0x08
        private const byte IntEnable = 0x38;      // FIFO_OFLOW_EN 0x10
        private const byte IntStatus = 0x3A;      // FIFO_OFLOW_INT 0x10, cleared on read
        private const byte UserCtrl = 0x6A;       // FIFO_EN 0x40, FIFO_RESET 0x04
        private const byte PwrMgmt1 = 0x6B;       // DEVICE_RESET 0x80, SLEEP 0x40, CLKSEL 1 = PLL with X gyro
        private const byte FifoCountH = 0x72;
        private const byte FifoRW = 0x74;
        private const byte WhoAmI = 0x75;         // 0x68
        private const int BytesPerSample = 12;
        private const int FifoBytes = 1024;

        private readonly I2cDevice _i2c;
        private readonly byte[] _reg = new byte[1];
        private readonly byte[] _write = new byte[2];
        private readonly byte[] _count = new byte[2];
        private readonly byte[] _one = new byte[1];
        private readonly byte[] _sample = new byte[BytesPerSample];
        private readonly int _sampleRateDivider;
        private bool _fifoReadBroken;             // a FIFO_R_W read failed since the last aligned count: it may have cut a packet
        private int _lastCount;                   // the last FIFO count read (bytes)

        /// <summary>The part on <paramref name="i2c"/>, sampling every <paramref name="samplePeriodMicros"/> (1 kHz / a whole divider).</summary>
        public Mpu6050Fifo(I2cDevice i2c, int samplePeriodMicros)
        {
            if (i2c == null) throw new ArgumentNullException("i2c");
            if (samplePeriodMicros < 1000 || samplePeriodMicros > 256000 || samplePeriodMicros % 1000 != 0)
                throw new ArgumentException("sample period " + samplePeriodMicros.ToString() + " us: the MPU-6050 samples at 1 kHz / (1..256)");
            _i2c = i2c;
            _sampleRateDivider = samplePeriodMicros / 1000 - 1;
        }

        public int FrameSize { get { return 6; } }
        public int Capacity { get { return FifoBytes / BytesPerSample; } }

        /// <summary>True when WHO_AM_I answers 0x68 (false also when nothing acknowledges on the bus).</summary>
        public bool Probe()
        {
            try
            {
                I2cTransferResult r = TryReadRegister(WhoAmI, new SpanByte(_one));
                return r.Status == I2cTransferStatus.FullTransfer && _one[0] == 0x68;
            }
            catch (SensorFaultException)
            {
                return false;
            }
        }

        /// <summary>Resets the part and sets range, filter and rate; sampling starts with <see cref="PowerUp"/>.</summary>
        public void Configure()
        {
            WriteRegister(PwrMgmt1, 0x80);                    // device reset
            System.Threading.Thread.Sleep(100);               // register map: wait 100 ms after DEVICE_RESET
            WriteRegister(PwrMgmt1, 0x41);                    // PLL clock, asleep until PowerUp
            WriteRegister(SmplrtDiv, (byte)_sampleRateDivider);
            WriteRegister(Config, 0x04);                      // DLPF 21 Hz (accel) / 20 Hz (gyro): below the 25 Hz Nyquist limit at 50 Hz
            WriteRegister(GyroConfig, 0x08);                  // ±500 °/s: 65.5 LSB per °/s, as the training data
            WriteRegister(AccelConfig, 0x08);                 // ±4 g: 8192 LSB per g, as the training data
            WriteRegister(IntEnable, 0x10);                   // latch FIFO overflow in INT_STATUS
        }

        public int SamplesAvailable
        {
            get
            {
                int bytes = FifoCount();
                // A count between packets can be read while the part writes one: read again before calling it a fault.
                if (bytes % BytesPerSample != 0 && bytes < FifoBytes) bytes = FifoCount();
                _lastCount = bytes;
                if (bytes >= FifoBytes) return Capacity;          // full: overflowed (TakeOverflow restarts it)
                int cut = bytes % BytesPerSample;
                if (cut == 0)
                {
                    _fifoReadBroken = false;                    // the failed read took nothing (or a whole packet: not detectable)
                    return bytes / BytesPerSample;
                }
                if (!_fifoReadBroken)
                    throw new SensorFaultException("MPU-6050: FIFO count " + bytes.ToString() + " is not a whole number of 12-byte packets");
                // A failed read took 12 - cut bytes of the oldest packet: drop its rest, the FIFO is aligned again.
                ReadFifo(new SpanByte(_sample, 0, cut));
                _fifoReadBroken = false;
                throw new SensorFaultException("MPU-6050: a failed FIFO read cut a packet; realigned, that sample is lost", false, true);
            }
        }

        public void Read(int[] frame)
        {
            ReadFifo(new SpanByte(_sample));
            for (int i = 0; i < 6; i++)
                frame[i] = (short)((_sample[2 * i] << 8) | _sample[2 * i + 1]);   // big-endian int16
        }

        // One packet per transfer: a failed one can cut only the packet it was reading. A failure after the first packet
        // ends the call with the packets dropped so far (the cut shows at the next FIFO count).
        public int Discard(int count)
        {
            for (int i = 0; i < count; i++)
            {
                try
                {
                    ReadFifo(new SpanByte(_sample));
                }
                catch (SensorFaultException)
                {
                    if (i == 0) throw;
                    return i;
                }
            }
            return count;
        }

        public bool TakeOverflow()
        {
            ReadRegister(IntStatus, _one);                    // reading clears the flag
            // A full count with the flag clear: a cut INT_STATUS read took the flag. Either way the FIFO overflowed.
            if ((_one[0] & 0x10) == 0 && _lastCount < FifoBytes) return false;
            // 1024 is not a multiple of 12: after an overflow the FIFO is out of frame. Start it again empty.
            WriteRegister(UserCtrl, 0x04);
            WriteRegister(UserCtrl, 0x40);
            _fifoReadBroken = false;
            _lastCount = 0;
            return true;
        }

        public void PowerDown()
        {
            _fifoReadBroken = false;
            _lastCount = 0;
            WriteRegister(UserCtrl, 0x04);                    // FIFO off and emptied
            WriteRegister(FifoEn, 0x00);
            WriteRegister(PwrMgmt1, 0x41);                    // SLEEP: about 5 µA instead of 3.9 mA (datasheet)
        }

        // Every register the application sets: a part that reset (brown-out, ESD) is back at its defaults, FIFO disabled.
        public void PowerUp()
        {
            _fifoReadBroken = false;
            _lastCount = 0;
            WriteRegister(SmplrtDiv, (byte)_sampleRateDivider);
            WriteRegister(Config, 0x04);
            WriteRegister(GyroConfig, 0x08);
            WriteRegister(AccelConfig, 0x08);
            WriteRegister(IntEnable, 0x10);
            WriteRegister(PwrMgmt1, 0x01);                    // awake, PLL clock
            WriteRegister(UserCtrl, 0x04);                    // empty FIFO
            WriteRegister(FifoEn, 0x78);                      // accel + 3 gyro axes
            WriteRegister(UserCtrl, 0x40);                    // FIFO on
        }

        private void WriteRegister(byte register, byte value)
        {
            _write[0] = register;
            _write[1] = value;
            I2cTransferResult r;
            try
            {
                r = _i2c.Write(new SpanByte(_write));
            }
            catch (InvalidOperationException e)
            {
                throw DriverFault(e);
            }
            if (r.Status != I2cTransferStatus.FullTransfer)
                throw new SensorFaultException("MPU-6050: write of register " + register.ToString() + " failed (" + Describe(r) + ")", true, false);
        }

        private int FifoCount()
        {
            ReadRegister(FifoCountH, _count);
            return (_count[0] << 8) | _count[1];
        }

        private void ReadRegister(byte register, byte[] into)
        {
            ReadRegister(register, new SpanByte(into));
        }

        // A failed register read changed nothing in the part (INT_STATUS aside: see TakeOverflow): transient.
        private void ReadRegister(byte register, SpanByte into)
        {
            I2cTransferResult r = TryReadRegister(register, into);
            if (r.Status != I2cTransferStatus.FullTransfer)
                throw new SensorFaultException("MPU-6050: read of register " + register.ToString() + " failed (" + Describe(r) + ")", true, false);
        }

        // A failed FIFO read may have taken bytes of the oldest packet: the next count tells (SamplesAvailable).
        private void ReadFifo(SpanByte into)
        {
            I2cTransferResult r = TryReadRegister(FifoRW, into);
            if (r.Status == I2cTransferStatus.FullTransfer) return;
            _fifoReadBroken = true;
            throw new SensorFaultException("MPU-6050: FIFO read failed (" + Describe(r) + ")", true, false);
        }

        private I2cTransferResult TryReadRegister(byte register, SpanByte into)
        {
            _reg[0] = register;
            try
            {
                return _i2c.WriteRead(new SpanByte(_reg), into);
            }
            catch (InvalidOperationException e)
            {
                throw DriverFault(e);
            }
        }

        // The driver throws InvalidOperationException when ESP-IDF refuses the command (driver state or arguments,
        // not the bus): re-initialise.
        private static SensorFaultException DriverFault(Exception e)
        {
            return new SensorFaultException("MPU-6050: I2C driver error: " + e.Message);
        }

        private static string Describe(I2cTransferResult r)
        {
            return "status " + ((int)r.Status).ToString() + ", " + r.BytesTransferred.ToString() + " bytes";
        }
    }
}
