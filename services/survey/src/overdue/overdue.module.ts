import { Module } from '@nestjs/common';
import { OverdueRepository } from './overdue.repository';
import { OverdueService } from './overdue.service';

@Module({ providers: [OverdueRepository, OverdueService], exports: [OverdueService] })
export class OverdueModule {}
