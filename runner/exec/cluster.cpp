#include "runner/exec/cluster.hpp"

#include <cstdlib>

#ifdef PBSIM_HAVE_MPI
#include <mpi.h>
#endif

namespace pbsim::runner {

#ifdef PBSIM_HAVE_MPI

namespace {

constexpr int kTagRun = 1, kTagDone = 2;

// Started by mpirun (Open MPI) or by srun/another launcher with PMI(x)?
// Plain `pbsim sweep` then never initialises MPI (no singleton start-up).
bool launched_by_mpi() {
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
        if (std::getenv(v)) return true;
    return false;
}

} // namespace

bool cluster_supported() {
    return true;
}

Cluster::Cluster() {
    if (!launched_by_mpi()) return;
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    mpi_ = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

Cluster::~Cluster() {
    if (mpi_) MPI_Finalize();
}

int Cluster::broadcast(int value) const {
    if (mpi_) MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return value;
}

void Cluster::broadcast(std::vector<std::uint8_t>& bytes) const {
    if (!mpi_) return;
    unsigned long long n = bytes.size();
    MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    bytes.resize(n);
    if (n > 0) MPI_Bcast(bytes.data(), static_cast<int>(n), MPI_BYTE, 0, MPI_COMM_WORLD);
}

void Cluster::send_run(std::uint32_t run, const std::vector<double>& values) const {
    if (!mpi_) return;
    // The run index travels as the first double (exact below 2^53).
    std::vector<double> buf;
    buf.reserve(values.size() + 1);
    buf.push_back(static_cast<double>(run));
    buf.insert(buf.end(), values.begin(), values.end());
    MPI_Send(buf.data(), static_cast<int>(buf.size()), MPI_DOUBLE, 0, kTagRun, MPI_COMM_WORLD);
}

void Cluster::send_done(bool complete) const {
    if (!mpi_) return;
    int flag = complete ? 1 : 0;
    MPI_Send(&flag, 1, MPI_INT, 0, kTagDone, MPI_COMM_WORLD);
}

std::optional<Cluster::Message> Cluster::poll() const {
    if (!mpi_) return std::nullopt;
    int waiting = 0;
    MPI_Status status;
    // Any tag: messages from one rank are then received in the order sent,
    // so a rank's "done" never overtakes its last runs.
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &waiting, &status);
    if (!waiting) return std::nullopt;
    Message m;
    m.from = status.MPI_SOURCE;
    if (status.MPI_TAG == kTagDone) {
        int flag = 0;
        MPI_Recv(&flag, 1, MPI_INT, status.MPI_SOURCE, kTagDone, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        m.done = true;
        m.complete = flag != 0;
        return m;
    }
    int count = 0;
    MPI_Get_count(&status, MPI_DOUBLE, &count);
    std::vector<double> buf(static_cast<std::size_t>(count));
    MPI_Recv(buf.data(), count, MPI_DOUBLE, status.MPI_SOURCE, kTagRun, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    m.run = static_cast<std::uint32_t>(buf.at(0));
    m.values.assign(buf.begin() + 1, buf.end());
    return m;
}

void Cluster::abort(int status) const {
    if (mpi_) MPI_Abort(MPI_COMM_WORLD, status);
    std::exit(status);
}

#else

bool cluster_supported() {
    return false;
}
Cluster::Cluster() = default;
Cluster::~Cluster() = default;
int Cluster::broadcast(int value) const {
    return value;
}
void Cluster::broadcast(std::vector<std::uint8_t>&) const {}
void Cluster::send_run(std::uint32_t, const std::vector<double>&) const {}
void Cluster::send_done(bool) const {}
std::optional<Cluster::Message> Cluster::poll() const {
    return std::nullopt;
}
void Cluster::abort(int status) const {
    std::exit(status);
}

#endif

} // namespace pbsim::runner
