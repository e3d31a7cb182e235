import { Module } from '@nestjs/common';
import { InstrumentModule } from '../instrument/instrument.module';
import { SubmissionModule } from '../submission/submission.module';
import { CsvBodyParser } from './csv-body.parser';
import { ImportController } from './import.controller';
import { ImportRepository } from './import.repository';
import { ImportService } from './import.service';

@Module({
  imports: [InstrumentModule, SubmissionModule],
  controllers: [ImportController],
  providers: [CsvBodyParser, ImportRepository, ImportService],
})
export class ImportModule {}
