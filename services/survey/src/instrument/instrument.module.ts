import { Module } from '@nestjs/common';
import { InstrumentController } from './instrument.controller';
import { InstrumentRepository } from './instrument.repository';
import { InstrumentService } from './instrument.service';

@Module({
  controllers: [InstrumentController],
  providers: [InstrumentRepository, InstrumentService],
  exports: [InstrumentService],
})
export class InstrumentModule {}
